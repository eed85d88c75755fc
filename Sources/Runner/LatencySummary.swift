import Histogram

/// Per-hop latency statistics, as in the paper's Table 1: count, min, median, mean, p90, p99, max.
public struct LatencySummary {
    /// The spec's hops, in order; a hop is recorded by its index (hashing its name per packet was
    /// a twentieth of a live runner's CPU).
    public let hops: [String]
    private var histograms: [Histogram<UInt64>]
    public private(set) var negative = 0

    public init(hops: [String]) {
        self.hops = hops
        histograms = hops.map { _ in Histogram<UInt64>(numberOfSignificantValueDigits: .three) }
    }

    public mutating func record(hop: Int, latencyNs: Int64) {
        guard latencyNs >= 0 else {
            negative += 1
            return
        }
        // In place: a copy out of the array and back would copy the histogram's counts on every record.
        _ = histograms[hop].record(UInt64(latencyNs))
    }

    public struct Row: Codable, Sendable, Equatable {
        public var hop: String
        public var count: UInt64
        public var minNs: UInt64
        public var medianNs: UInt64
        public var meanNs: Double
        public var p90Ns: UInt64
        public var p99Ns: UInt64
        public var maxNs: UInt64
    }

    public func rows() -> [Row] {
        zip(hops, histograms).map { hop, h in
            guard h.totalCount > 0 else {
                return Row(hop: hop, count: 0, minNs: 0, medianNs: 0, meanNs: 0, p90Ns: 0, p99Ns: 0, maxNs: 0)
            }
            return Row(hop: hop, count: h.totalCount, minNs: h.min, medianNs: h.valueAtPercentile(50), meanNs: h.mean,
                       p90Ns: h.valueAtPercentile(90), p99Ns: h.valueAtPercentile(99), maxNs: h.max)
        }
    }
}
