import Foundation
import Prometheus

/// Prometheus counters that mirror totals kept elsewhere (the runner, the kernel's map): each
/// update adds the difference to the last total, so a scrape never sees the counter dip. A total
/// that went down means its source restarted (a reloaded object): the counter is reset, which
/// Prometheus's rate() reads as the reset it is.
final class CumulativeCounters: @unchecked Sendable {
    private struct Key: Hashable {
        var name: String
        var labels: [String]
    }

    private let registry: PrometheusCollectorRegistry
    private let lock = NSLock()
    private var counters: [Key: (counter: Counter, total: UInt64)] = [:]

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func set(_ name: String, help: String, labels: [(String, String)] = [], to total: UInt64) {
        let key = Key(name: name, labels: labels.flatMap { [$0.0, $0.1] })
        lock.lock()
        defer { lock.unlock() }
        let entry = counters[key] ?? (makeCounter(name, help: help, labels: labels), 0)
        if total >= entry.total {
            entry.counter.increment(by: Int64(clamping: total - entry.total))
        } else {
            entry.counter.reset()
            entry.counter.increment(by: Int64(clamping: total))
        }
        counters[key] = (entry.counter, total)
    }

    private func makeCounter(_ name: String, help: String, labels: [(String, String)]) -> Counter {
        let descriptor = MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        return labels.isEmpty ? registry.makeCounter(descriptor: descriptor) : registry.makeCounter(descriptor: descriptor, labels: labels)
    }
}
