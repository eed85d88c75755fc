import Foundation

/// Where a program named without a path is: PATH, then the sbin directories a non-login PATH may lack.
public enum ProgramLookup {
    public struct Missing: Error, CustomStringConvertible, Equatable {
        public var name: String
        public var description: String { "'\(name)' is not on PATH (bash .ci/setup installs what meshtrace needs)" }
    }

    /// Programs looked up in these first: a version manager's shim for python3 (pyenv) costs
    /// ~150 ms a start, and the testbed only needs the system's.
    static let preferred = ["python3": "/usr/bin/python3"]

    public static func path(_ name: String) throws -> String {
        if let preferred = preferred[name], FileManager.default.isExecutableFile(atPath: preferred) { return preferred }
        if name.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: name) else { throw Missing(name: name) }
            return name
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        // `ip`, `sysctl` and `tcpdump` live in sbin, which a non-login PATH may lack.
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Missing(name: name)
    }
}
