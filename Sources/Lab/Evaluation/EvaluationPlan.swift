/// How much of §4 a run measures: the windows of Fig. 8, the load of Table 1 and Fig. 9, and how
/// long the sidecar's cost is measured. `quick` is what the tests run (under 3 minutes), `full` the
/// paper's whole sweep (under 15).
public struct EvaluationPlan: Sendable, Codable {
    /// Fig. 8's search windows, bytes.
    public var windows: [Int]
    /// Requests through the gateway per window and format, at `detectionQps`.
    public var detectionRequests: Int
    public var detectionQps: Double
    /// Table 1 and Fig. 9: seconds of open-loop load at each rate, per format, split into `rounds`
    /// that alternate the formats (ABBA…), so that both see the same moments of a shared, noisy machine.
    public var loads: [Load]
    public var rounds: Int
    /// scripts/sidecar-cost's measured seconds (after its warm-up).
    public var sidecarCostSeconds: Double
    public var tracer: MeshVariant.Tracer

    public struct Load: Sendable, Codable {
        public var qps: Double
        public var seconds: Double
    }

    /// The paper's windows (100…800 B, where its program stopped) and then ours (1, 2, 4, 8 KiB).
    public static func full(tracer: MeshVariant.Tracer = .w3c) -> EvaluationPlan {
        EvaluationPlan(windows: Array(stride(from: 100, through: 800, by: 100)) + [1024, 2048, 4096, 8192],
                       detectionRequests: 100, detectionQps: 20,
                       loads: [Load(qps: 1, seconds: 60), Load(qps: 80, seconds: 30)], rounds: 3, sidecarCostSeconds: 20, tracer: tracer)
    }

    /// A window each format needs and one past the paper's wall.
    public static func quick(tracer: MeshVariant.Tracer = .w3c) -> EvaluationPlan {
        EvaluationPlan(windows: [200, 900, 2048], detectionRequests: 20, detectionQps: 20,
                       loads: [Load(qps: 1, seconds: 8), Load(qps: 80, seconds: 4)], rounds: 1, sidecarCostSeconds: 4, tracer: tracer)
    }

    /// The object each format is traced with for Table 1 and Fig. 9: the paper's 200 B at the head
    /// (fixed placement) for the proposed format; the original needs a search past ~1 KB of headers.
    static func tracingFlags(_ format: MeshVariant.Format) -> [String] {
        format == .proposed ? ["--placement", "fixed", "--window", "200"] : ["--placement", "anywhere", "--window", "2048"]
    }

    static func detectionFlags(window: Int) -> [String] { ["--placement", "anywhere", "--window", "\(window)"] }
}
