import Foundation

/// What the open-loop generator (Mesh/Helpers/openloop.py) measured: latency from each request's
/// scheduled send time to its last response byte.
public struct OpenLoopReport: Decodable, Sendable {
    public var latenciesMs: [Double]
    public var failures: [String]
    public var sent: Int
}

extension Mesh {
    /// `qps` requests per second for `seconds` from the client pod to the gateway, on schedule.
    public func openLoop(qps: Double, seconds: Double) throws -> OpenLoopReport {
        guard qps > 0, seconds > 0, qps * seconds >= 1 else { throw LabError.invalidArgument("open-loop load needs qps × seconds ≥ 1") }
        let gateway = layout.pod(.gateway)
        let result = try testbed.run(in: layout.client.namespace, "python3", [
            try MeshFiles.helper("openloop"), gateway.ip, "\(layout.topology.httpPort)", "/productpage", "\(qps)", "\(seconds)",
        ]).check()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(OpenLoopReport.self, from: Data(result.stdout.utf8))
    }
}
