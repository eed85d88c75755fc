import Foundation
import Subprocess
import TestSupport
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
    let upstream: BackendProcess
    private(set) var envoy: BackendProcess?
    private(set) var port = 0

    /// Starts the upstream and Envoy with `config`'s variant; `stop()` ends both, also when this throws.
    init(envoyBinary: String, router: SidecarConfig.Router, tracer: SidecarConfig.Tracer) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrace-sidecar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("records"), withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("upstream.port")
        upstream = try BackendProcess(
            name: "upstream", executable: "python3",
            arguments: [Self.helpers.appendingPathComponent("upstream.py").path, portFile.path, directory.appendingPathComponent("records").path],
            directory: directory)
        do {
            let upstreamPort = try Self.waitForInteger(in: portFile, from: upstream)
            // The collector's port is one nothing listens on: the kernel picked it, then it was closed
            // (ephemeral ports are handed out at random, so it stays free for the seconds a test runs).
            let config = SidecarConfig(router: router, tracer: tracer, upstreamPort: upstreamPort, collectorPort: try Loopback.freePort())
            let configFile = directory.appendingPathComponent("envoy.yaml")
            try config.text().write(to: configFile, atomically: true, encoding: .utf8)
            let adminFile = directory.appendingPathComponent("admin.address")
            Self.started += 1
            // Hot restart off, and a base id of our own anyway, so Envoys of parallel runs never share a domain socket.
            let baseID = Int(getpid()) % 100_000 * 100 + Self.started % 100
            let envoy = try BackendProcess(
                name: "envoy", executable: envoyBinary,
                arguments: ["-c", configFile.path, "--disable-hot-restart", "--base-id", String(baseID), "--concurrency", "1",
                            "--admin-address-path", adminFile.path, "-l", "warning"],
                directory: directory)
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
        guard result.succeeded else { throw SidecarError("request through Envoy failed: \(result.stderr)\nEnvoy: \(envoy?.output ?? "")") }
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
    private func waitForListener(adminFile: URL, envoy: BackendProcess) throws -> Int {
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
            guard envoy.isRunning else { throw SidecarError("Envoy exited: \(envoy.output)") }
            usleep(50_000)
        }
        throw SidecarError("Envoy's listener did not come up in 30 s: \(envoy.output)")
    }

    /// The integer a starting process writes to `file` (atomically, by rename).
    private static func waitForInteger(in file: URL, from process: BackendProcess, parse: (String) -> String? = { $0 }) throws -> Int {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOf: file, encoding: .utf8),
               let value = parse(text.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap({ Int($0) }) {
                return value
            }
            guard process.isRunning else { throw SidecarError("\(process.name) exited: \(process.output)") }
            usleep(20_000)
        }
        throw SidecarError("\(process.name) wrote no \(file.lastPathComponent) in 30 s: \(process.output)")
    }
}

/// Why a sidecar test could not set up or drive Envoy: the one failure type of TestSupport's backends.
typealias SidecarError = BackendFailure
