#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Network namespaces, veths and VXLAN devices need root.
public enum Privileges {
    public static var isRoot: Bool { geteuid() == 0 }

    public static func requireRoot() throws {
        guard isRoot else { throw LabError.notRoot }
    }
}
