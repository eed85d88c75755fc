import Foundation
import Prometheus

/// meshtrace's Prometheus metrics. The runner calls `record` per joined hop and `update` every
/// second with its cumulative counters; `MetricsServer` serves `render()` at /metrics.
/// Labels are bounded by the node's hops and pods: never a trace, request or connection.
public final class MeshtraceMetrics: @unchecked Sendable {
    /// 1, 2 and 5 per decade from 1 µs to 10 ms: the overlay hops measured so far take 1–40 µs,
    /// and anything past 10 ms is a stall that +Inf shows well enough.
    public static let latencyBuckets: [Double] = [
        0.000_001, 0.000_002, 0.000_005,
        0.000_01, 0.000_02, 0.000_05,
        0.000_1, 0.000_2, 0.000_5,
        0.001, 0.002, 0.005,
        0.01,
    ]

    public let registry: PrometheusCollectorRegistry
    private let totals: CumulativeCounters
    private let pendingJoins: Gauge
    private let lock = NSLock()
    private var histograms: [[String]: ValueHistogram] = [:]
    private var negatives: [[String]: Counter] = [:]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        totals = CumulativeCounters(registry: registry)
        pendingJoins = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "meshtrace_pending_joins", unitName: "", helpText: "Events waiting for the other end of their hop."))
    }

    /// One joined hop: its latency into the histogram of its hop and node (and pod, when the
    /// observation says a point is a pod's). A negative latency has no bucket: it is counted apart.
    public func record(_ hop: HopObservation) {
        var labels = [("hop", hop.hop), ("node", hop.node)]
        if let pod = hop.from.pod ?? hop.to.pod {
            labels += [("pod", pod.name), ("namespace", pod.namespace)]
        }
        let key = labels.flatMap { [$0.0, $0.1] }
        let latency = hop.latencyNs
        lock.lock()
        defer { lock.unlock() }
        if latency < 0 {
            let counter = negatives[key] ?? registry.makeCounter(
                descriptor: MetricNameDescriptor(metricName: "meshtrace_hop_negative_latency_total", unitName: "",
                                                 helpText: "Joined hops whose second timestamp preceded the first."),
                labels: labels)
            negatives[key] = counter
            counter.increment()
            return
        }
        let histogram = histograms[key] ?? registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(metricName: "meshtrace_hop_latency", unitName: "seconds",
                                             helpText: "Latency of each joined request packet between the hop's two tracing points."),
            labels: labels, buckets: Self.latencyBuckets)
        histograms[key] = histogram
        histogram.record(Double(latency) / 1e9)
    }

    /// The runner's cumulative counters, every second.
    public func update(_ counters: RunnerCounters) {
        let runner: [(String, String, UInt64)] = [
            ("meshtrace_packets_total", "Packets the tc programs saw.", counters.packets),
            ("meshtrace_events_total", "Events decoded from the ring buffer.", counters.events),
            ("meshtrace_joined_total", "Packets joined across a hop.", counters.joined),
            ("meshtrace_unmatched_total", "Events still unjoined at exit.", counters.unmatched),
            ("meshtrace_timed_out_total", "Events whose other half did not come within the join timeout.", counters.timedOut),
            ("meshtrace_evicted_total", "Events evicted because the join table was full.", counters.evicted),
            ("meshtrace_duplicates_total", "Retransmitted or duplicated packets, never joined.", counters.duplicates),
            ("meshtrace_kernel_drops_total", "Events the kernel could not queue: ring buffer full.", counters.kernelDrops),
            ("meshtrace_user_drops_total", "Records user space could not decode.", counters.userDrops),
        ]
        for (name, help, value) in runner { totals.set(name, help: help, to: value) }
        for (label, value) in counters.kernel.sorted(by: { $0.key < $1.key }) {
            totals.set("meshtrace_kernel_counter_total", help: "The tc programs' counters, by name.", labels: [("counter", label)], to: value)
        }
        for (exporter, export) in counters.exporters.sorted(by: { $0.key < $1.key }) {
            let name = [("exporter", exporter)]
            totals.set("meshtrace_export_exported_total", help: "Hops the backend accepted.", labels: name, to: UInt64(export.exported))
            totals.set("meshtrace_export_filtered_total", help: "Hops not exported by policy (unsampled, no trace context).",
                       labels: name, to: UInt64(export.filtered))
            totals.set("meshtrace_export_failed_requests_total", help: "Requests to the backend that failed.",
                       labels: name, to: UInt64(export.failedRequests))
            let dropped: [(String, Int)] = [("queue_full", export.droppedQueueFull), ("after_retries", export.droppedAfterRetries),
                                            ("rejected", export.droppedRejected), ("unencodable", export.droppedUnencodable)]
            for (reason, value) in dropped {
                totals.set("meshtrace_export_dropped_total", help: "Hops an exporter dropped, by reason.",
                           labels: name + [("reason", reason)], to: UInt64(value))
            }
        }
        // ns, not seconds: the kernel's totals are whole ns, and rate(ns) / rate(runs) reads as ns a run.
        for (hook, runs) in counters.programRuns.sorted(by: { $0.key < $1.key }) {
            totals.set("meshtrace_program_runs_total", help: "Runs of the hook's tc program, by the kernel's run-time statistics (--program-cost).",
                       labels: [("hook", hook)], to: runs)
        }
        for (hook, ns) in counters.programNanoseconds.sorted(by: { $0.key < $1.key }) {
            totals.set("meshtrace_program_run_nanoseconds_total",
                       help: "ns the hook's tc program ran, its tail calls included, by the kernel's run-time statistics (--program-cost).",
                       labels: [("hook", hook)], to: ns)
        }
        pendingJoins.set(Int64(counters.pendingJoins))
    }

    /// The text exposition format.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}
