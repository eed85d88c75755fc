/// The runner's cumulative counters, handed to `MeshtraceMetrics.update` every second. All are
/// totals since the runner started (the kernel's are read from its counter map), not deltas.
public struct RunnerCounters: Sendable, Hashable {
    /// Packets the programs saw (the kernel's `packets`).
    public var packets: UInt64 = 0
    /// Events decoded from the ring buffer.
    public var events: UInt64 = 0
    public var joined: UInt64 = 0
    public var unmatched: UInt64 = 0
    public var timedOut: UInt64 = 0
    public var evicted: UInt64 = 0
    public var duplicates: UInt64 = 0
    /// Events the kernel could not queue because the ring buffer was full (`ringbuf_full`).
    public var kernelDrops: UInt64 = 0
    /// Records user space could not decode.
    public var userDrops: UInt64 = 0
    /// Events waiting for their other half: a gauge.
    public var pendingJoins: Int = 0
    /// Every kernel counter by its label (`not_http`, `no_context`, `ringbuf_full`, …).
    public var kernel: [String: UInt64] = [:]
    /// Each exporter's counters by exporter name ("otlp", "influx").
    public var exporters: [String: ExportCounters] = [:]
    /// With `--program-cost`: each hook's program's runs and their ns by the kernel's run-time
    /// statistics, by hook name ("ingress", "egress"); empty without.
    public var programRuns: [String: UInt64] = [:]
    public var programNanoseconds: [String: UInt64] = [:]

    public init() {}
}
