/// results.json: what `meshtrace-lab evaluate` measured (snake_case keys). `detection`, `e2e`,
/// `hops` and `sidecar_cost_us` are the schema; `samples` carry the CDFs the plots draw.
public struct EvaluationResults: Codable, Sendable {
    public struct Detection: Codable, Sendable {
        public var format: MeshVariant.Format
        public var window: Int
        /// Requests meshtrace joined among those tcpdump saw at productpage's vport, 0…1.
        public var rate: Double
        /// Request packets tcpdump saw (to and from productpage).
        public var requests: Int
        public var detected: Int
    }

    public struct EndToEnd: Codable, Sendable {
        public var qps: Double
        public var format: MeshVariant.Format
        public var minMs, medianMs, meanMs, p99Ms, maxMs: Double
        /// Requests answered 200; `failed` the others (errors, timeouts, other statuses).
        public var requests: Int
        public var failed: Int
    }

    public struct Hop: Codable, Sendable {
        public var qps: Double
        public var format: MeshVariant.Format
        public var hop: String
        public var source: String
        public var count: Int
        public var medianUs, meanUs, p99Us: Double
    }

    public struct Samples: Codable, Sendable {
        /// `e2e` (ms) or `rx`/`tx` (µs).
        public var kind: String
        public var qps: Double
        public var format: MeshVariant.Format
        public var source: String
        public var values: [Double]
    }

    public struct SidecarCost: Codable, Sendable {
        /// Context-first minus stock Envoy, per request, µs: latency median and p99, CPU.
        public var median: Double
        public var p99: Double
        public var cpuPerRequest: Double
        public var stockMedian: Double
        /// scripts/sidecar-cost's own table.
        public var output: String
    }

    public var plan: EvaluationPlan
    public var detection: [Detection] = []
    public var e2e: [EndToEnd] = []
    public var hops: [Hop] = []
    public var sidecarCostUs: SidecarCost?
    /// Where the context sat in the requests productpage's vport saw, bytes from the payload's start.
    public var contextOffsets: [String: [Int]] = [:]
    public var samples: [Samples] = []
    public var seconds: Double = 0
    /// The 1-minute load average when the run began and when it ended: how shared the machine was.
    public var loadAverage: [Double] = []
}
