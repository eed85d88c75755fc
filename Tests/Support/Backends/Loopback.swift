import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#endif

/// Loopback ports and waits for the tests' backends.
public enum Loopback {
    /// A port that was free a moment ago: the kernel's choice for a socket bound to 127.0.0.1:0.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BackendFailure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw BackendFailure("bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// True when something accepts TCP connections on 127.0.0.1:port of `namespace` (asked from
    /// inside it: its loopback is its own).
    public static func accepts(port: Int, namespace: String?) -> Bool {
        guard let namespace else { return accepts(port: port) }
        let probe = "import socket; socket.create_connection(('127.0.0.1', \(port)), 1)"
        return (try? Command.run(["ip", "netns", "exec", namespace, "python3", "-c", probe]).succeeded) ?? false
    }

    /// True when something accepts TCP connections on 127.0.0.1:port.
    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes; throws with `what` then.
    public static func wait(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else { throw BackendFailure("timed out after \(timeout) s waiting for \(what)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
