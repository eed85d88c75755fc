import Foundation
import Spec

/// What the open-loop generator (Mesh/Helpers/openloop.py) measured: request i is due at
/// start + i/rate whether or not the ones before it were answered, and its latency counts from
/// when it was due to its last response byte (so a stall shows as latency, not as fewer requests).
public struct OpenLoopReport: Sendable, Codable {
    /// Milliseconds from each request's due time to its whole response, 200s only.
    public var latenciesMs: [Double]
    /// Why each other request failed (a status code or the client's error).
    public var failures: [String]
    public var sent: Int

    public init(latenciesMs: [Double], failures: [String], sent: Int) {
        self.latenciesMs = latenciesMs
        self.failures = failures
        self.sent = sent
    }

    /// The reports of several runs as one.
    public init(pooling reports: [OpenLoopReport]) {
        self.init(latenciesMs: reports.flatMap(\.latenciesMs), failures: reports.flatMap(\.failures), sent: reports.map(\.sent).reduce(0, +))
    }

    public var medianMs: Double { Self.quantile(latenciesMs, 0.5) }
    public var p99Ms: Double { Self.quantile(latenciesMs, 0.99) }

    static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
    }
}

/// The request the open-loop generator sends: `head` alone, or head + a fresh traceparent + tail.
struct OpenLoopRequest: Encodable {
    var head: String
    var tail: String?
}

extension Testbed {
    /// Runs the open-loop generator in `namespace` against `host:port`.
    func openLoop(from namespace: String, to host: String, port: Int, rate: Double, seconds: Double,
                  request: OpenLoopRequest) throws -> OpenLoopReport {
        guard rate > 0, rate <= 10_000, seconds > 0, seconds <= 600, rate * seconds >= 1 else {
            throw LabError.invalidArgument("open-loop load needs a rate of 0...10000 a second, 0...600 seconds and at least one request")
        }
        let result = try run(in: namespace, "python3", [try MeshFiles.helper("openloop"), host, "\(port)", "\(rate)", "\(seconds)"],
                             input: try JSONEncoder().encode(request)).check()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(OpenLoopReport.self, from: Data(result.stdout.utf8))
        } catch {
            throw LabError.unexpectedOutput("the open-loop client printed no report: \(result.stdout)\(result.stderr)")
        }
    }

    /// `rate` requests a second for `seconds` from pod1 to pod2's server, each with a fresh
    /// `traceparent` placed as `placement` says and `Connection: close`.
    public func openLoop(rate: Double, seconds: Double, placement: Placement) throws -> OpenLoopReport {
        let client = topology.client, server = topology.server
        let shape = HTTPRequest(placement: placement, host: "\(server.ip):\(topology.httpPort)")
        return try openLoop(from: client.namespace, to: server.ip, port: topology.httpPort, rate: rate, seconds: seconds,
                            request: OpenLoopRequest(head: shape.head, tail: shape.tail))
    }
}
