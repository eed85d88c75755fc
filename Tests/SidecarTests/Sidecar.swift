import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A real Envoy on loopback in front of an upstream that records every request it receives:
/// `send` goes through Envoy, `records` are the bytes Envoy put on the upstream wire.
final class Sidecar {
    static let helpers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Helpers")
    private nonisolated(unsafe) static var started = 0

    let directory: URL
    let upstream: ProcessGroup
    private(set) var envoy: ProcessGroup?
    private(set) var port = 0

    /// Starts the upstream and Envoy with `config`'s variant; `stop()` ends both, also when this throws.
    init(envoyBinary: String, router: SidecarConfig.Router, tracer: SidecarConfig.Tracer) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrace-sidecar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("records"), withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("upstream.port")
        upstream = try ProcessGroup(
            ["python3", Self.helpers.appendingPathComponent("upstream.py").path, portFile.path, directory.appendingPathComponent("records").path],
            log: directory.appendingPathComponent("upstream.log"))
        do {
            let upstreamPort = try Self.waitForInteger(in: portFile, from: upstream)
            let config = SidecarConfig(router: router, tracer: tracer, upstreamPort: upstreamPort, collectorPort: try Self.closedPort())
            let configFile = directory.appendingPathComponent("envoy.yaml")
            try config.text().write(to: configFile, atomically: true, encoding: .utf8)
            let adminFile = directory.appendingPathComponent("admin.address")
            Self.started += 1
            // Hot restart off, and a base id of our own anyway, so Envoys of parallel runs never share a domain socket.
            let baseID = Int(getpid()) % 100_000 * 100 + Self.started % 100
            let envoy = try ProcessGroup(
                [envoyBinary, "-c", configFile.path, "--disable-hot-restart", "--base-id", String(baseID), "--concurrency", "1",
                 "--admin-address-path", adminFile.path, "-l", "warning"],
                log: directory.appendingPathComponent("envoy.log"))
            self.envoy = envoy
            port = try waitForListener(adminFile: adminFile, envoy: envoy)
        } catch {
            stop()
            throw error
        }
    }

    /// Ends Envoy and the upstream, and removes the records (a failure's message carries Envoy's log).
    func stop() {
        envoy?.stop()
        upstream.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Sends `request` through Envoy, byte for byte, and returns the response's status line.
    @discardableResult
    func send(_ request: [UInt8]) throws -> String {
        let result = try Command.run(["python3", Self.helpers.appendingPathComponent("client.py").path, String(port)], input: Data(request))
        guard result.succeeded else { throw SidecarError("request through Envoy failed: \(result.stderr)\nEnvoy: \(envoy?.output() ?? "")") }
        return String(result.stdout.prefix { $0 != "\n" })
    }

    /// Every request the upstream received, in arrival order.
    func records() throws -> [WireRequest] {
        let folder = directory.appendingPathComponent("records")
        let numbers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".http") }.compactMap { Int($0.dropLast(5)) }.sorted()
        return try numbers.map { number in
            try WireRequest(raw: Array(Data(contentsOf: folder.appendingPathComponent("\(number).http"))))
        }
    }

    /// Envoy's listener port, from its admin API, once the listener is bound.
    private func waitForListener(adminFile: URL, envoy: ProcessGroup) throws -> Int {
        let adminPort = try Self.waitForInteger(in: adminFile, from: envoy) { $0.split(separator: ":").last.map(String.init) }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let result = try Command.run(["python3", Self.helpers.appendingPathComponent("client.py").path, String(adminPort)],
                                         input: Data("GET /listeners HTTP/1.1\r\nHost: admin\r\n\r\n".utf8))
            // "outbound::127.0.0.1:PORT"
            if result.succeeded, let line = result.stdout.split(separator: "\n").first(where: { $0.hasPrefix("outbound::") }),
               let port = Int(line.split(separator: ":").last ?? ""), port != 0 {
                return port
            }
            guard envoy.isRunning else { throw SidecarError("Envoy exited: \(envoy.output())") }
            usleep(50_000)
        }
        throw SidecarError("Envoy's listener did not come up in 30 s: \(envoy.output())")
    }

    /// The integer a starting process writes to `file` (atomically, by rename).
    private static func waitForInteger(in file: URL, from process: ProcessGroup, parse: (String) -> String? = { $0 }) throws -> Int {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOf: file, encoding: .utf8),
               let value = parse(text.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap({ Int($0) }) {
                return value
            }
            guard process.isRunning else { throw SidecarError("\(process.arguments[0]) exited: \(process.output())") }
            usleep(20_000)
        }
        throw SidecarError("\(process.arguments.joined(separator: " ")) wrote no \(file.lastPathComponent) in 30 s: \(process.output())")
    }

    /// A loopback port nothing listens on: one the kernel picked, then closed (ephemeral ports are
    /// handed out at random, so it stays free for the seconds a test runs).
    private static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SidecarError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SidecarError("bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
