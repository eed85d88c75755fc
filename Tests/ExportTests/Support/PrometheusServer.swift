import Foundation
import TestSupport

/// A real Prometheus (Debian's 2.42) scraping one target every second, on a loopback port and a
/// temporary TSDB of its own.
final class PrometheusServer {
    private(set) var port = 0
    private(set) var process: BackendProcess
    private let binary: String
    let directory: URL
    private let config: URL

    init(scraping target: String) throws {
        binary = try Programs.require("prometheus", install: "apt-get install prometheus")
        directory = try Programs.temporaryDirectory("meshtrace-prometheus")
        config = directory.appendingPathComponent("prometheus.yml")
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: meshtrace
            scrape_interval: 1s
            scrape_timeout: 1s
            static_configs:
              - targets: ['\(target)']
        """.write(to: config, atomically: true, encoding: .utf8)
        (process, port) = try Self.start(binary, config: config, directory: directory)
    }

    /// Stops it and starts it again on the same TSDB (on a new port).
    func restart() throws {
        process.stop()
        (process, port) = try Self.start(binary, config: config, directory: directory)
    }

    private static func start(_ binary: String, config: URL, directory: URL) throws -> (BackendProcess, Int) {
        var lastFailure: Error?
        for _ in 0..<3 {
            let port = try Loopback.freePort()
            let process = try BackendProcess(name: "prometheus", executable: binary, arguments: [
                "--config.file", config.path, "--storage.tsdb.path", directory.appendingPathComponent("tsdb").path,
                "--web.listen-address", "127.0.0.1:\(port)", "--log.level", "warn",
            ], directory: directory)
            do {
                try Loopback.wait("prometheus ready on 127.0.0.1:\(port)", timeout: 20) {
                    guard process.isRunning else { throw BackendFailure("prometheus exited: \(process.output)") }
                    return (try? HTTPClient.get("http://127.0.0.1:\(port)/-/ready").status) == 200
                }
                return (process, port)
            } catch {
                process.stop()
                lastFailure = error
            }
        }
        throw lastFailure!
    }

    func stop() { process.stop() }

    /// The process first, then its files: nothing of a test's backend outlives it.
    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// An instant query's vector: each series' labels and value.
    func query(_ promQL: String) throws -> [(labels: [String: String], value: Double)] {
        let response = try HTTPClient.get("http://127.0.0.1:\(port)/api/v1/query?query=\(HTTPClient.encode(promQL))")
        guard response.status == 200,
              let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw BackendFailure("query \(promQL): HTTP \(response.status): \(response.text)")
        }
        return result.map { series in
            let labels = series["metric"] as? [String: String] ?? [:]
            let value = (series["value"] as? [Any])?.last as? String
            return (labels, value.flatMap(Double.init) ?? .nan)
        }
    }

    /// Polls `promQL` (up to 15 s: Prometheus scrapes a new target within a few seconds) until
    /// `accept` holds for its result; returns that result.
    func waitFor(_ promQL: String, timeout: TimeInterval = 15,
                 _ accept: ([(labels: [String: String], value: Double)]) -> Bool) throws -> [(labels: [String: String], value: Double)] {
        var last: [(labels: [String: String], value: Double)] = []
        do {
            try Loopback.wait("\(promQL) at prometheus", timeout: timeout) {
                last = try query(promQL)
                return accept(last)
            }
        } catch {
            throw BackendFailure("\(error); last result: \(last)")
        }
        return last
    }
}
