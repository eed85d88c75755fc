import Foundation
import TestSupport

/// A real InfluxDB 1.6 (`influxd run -config FILE`) on loopback ports, with its meta, data and WAL
/// in a temporary directory and reporting and self-monitoring off.
final class InfluxServer {
    let port: Int
    let directory: URL
    private(set) var process: BackendProcess
    private let binary: String

    init(port: Int? = nil) throws {
        binary = try Programs.require("influxd", install: "apt-get install influxdb")
        directory = try Programs.temporaryDirectory("meshtrace-influx")
        var lastFailure: Error?
        for _ in 0..<3 {
            let http = try port ?? Loopback.freePort()
            do {
                process = try Self.start(binary, directory: directory, port: http)
                self.port = http
                return
            } catch {
                lastFailure = error
                if port != nil { break }
            }
        }
        throw lastFailure!
    }

    private static func start(_ binary: String, directory: URL, port: Int) throws -> BackendProcess {
        let rpc = try Loopback.freePort()
        let config = directory.appendingPathComponent("influxdb.conf")
        try """
        reporting-enabled = false
        bind-address = "127.0.0.1:\(rpc)"
        [meta]
          dir = "\(directory.path)/meta"
        [data]
          dir = "\(directory.path)/data"
          wal-dir = "\(directory.path)/wal"
          query-log-enabled = false
        [monitor]
          store-enabled = false
        [subscriber]
          enabled = false
        [continuous_queries]
          enabled = false
        [http]
          bind-address = "127.0.0.1:\(port)"
          log-enabled = false
          pprof-enabled = false
        [logging]
          level = "warn"
          suppress-logo = true
        """.write(to: config, atomically: true, encoding: .utf8)
        let process = try BackendProcess(name: "influxd", executable: binary, arguments: ["run", "-config", config.path], directory: directory)
        do {
            try Loopback.wait("influxd /ping on 127.0.0.1:\(port)", timeout: 20) {
                guard process.isRunning else { throw BackendFailure("influxd exited: \(process.output)") }
                return (try? HTTPClient.get("http://127.0.0.1:\(port)/ping").status) == 204
            }
        } catch {
            process.stop()
            throw error
        }
        return process
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    func stop() { process.stop() }

    /// The process first, then its files: nothing of a test's backend outlives it.
    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts it again on the same port and data.
    func restart() throws {
        process.stop()
        process = try Self.start(binary, directory: directory, port: port)
    }

    func createDatabase(_ name: String) throws {
        let response = try HTTPClient.post("http://127.0.0.1:\(port)/query", body: "q=\(HTTPClient.encode("CREATE DATABASE \"\(name)\""))")
        guard response.status == 200, !response.text.contains("\"error\"") else {
            throw BackendFailure("CREATE DATABASE \(name): HTTP \(response.status): \(response.text)")
        }
    }

    /// The rows of `influxQL`'s first series, times as epoch nanoseconds: columns and values.
    func select(_ influxQL: String, database: String) throws -> (columns: [String], rows: [[Any]]) {
        let response = try HTTPClient.get("http://127.0.0.1:\(port)/query?db=\(HTTPClient.encode(database))&epoch=ns&q=\(HTTPClient.encode(influxQL))")
        guard response.status == 200, let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let results = json["results"] as? [[String: Any]], let first = results.first else {
            throw BackendFailure("\(influxQL): HTTP \(response.status): \(response.text)")
        }
        guard let series = (first["series"] as? [[String: Any]])?.first else { return ([], []) }
        return (series["columns"] as? [String] ?? [], series["values"] as? [[Any]] ?? [])
    }
}
