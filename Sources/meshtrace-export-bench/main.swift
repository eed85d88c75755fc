import Export
import Foundation

// Prints the figures of docs/export.md, built in release (`swift build -c release --product meshtrace-export-bench`):
//   meshtrace-export-bench throughput URL [SPANS]   spans/s the OTLP exporter's thread sends to the collector at URL
//   meshtrace-export-bench soak URL [SECONDS]       RSS each second while submitting flat out to URL (a dead port)

func hop(_ index: Int, first: UInt64) -> HopObservation {
    let trace = String(format: "%016llx%016llx", UInt64(index) &* 0x9e37_79b9_7f4a_7c15 | 1, UInt64(index) | 1 << 40)
    return HopObservation(
        hop: index % 2 == 0 ? "rx" : "tx", node: "node1", firstTimestampNs: first, secondTimestampNs: first + 2_900,
        context: try! HopTraceContext(format: "w3c", traceId: trace, spanId: String(format: "%016llx", UInt64(index) | 1 << 50), sampled: true),
        from: ObservationPoint(name: "nic", hook: "ingress", interface: "eth0"),
        to: ObservationPoint(name: "vport", hook: "egress", interface: "veth1a2b"), tcpSequence: UInt64(index),
        inner: FlowTuple(family: .ipv4, transportProtocol: 6, source: "10.244.1.5", sourcePort: 40000, destination: "10.244.2.7", destinationPort: 8080),
        outer: FlowTuple(family: .ipv4, transportProtocol: 17, source: "198.18.0.1", sourcePort: 41000, destination: "198.18.0.2", destinationPort: 4789),
        vni: 42)
}

func residentKiB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let endpoint = URL(string: arguments[2]) else {
    print("usage: meshtrace-export-bench throughput|soak URL [SPANS|SECONDS]")
    exit(2)
}
switch arguments[1] {
case "throughput":
    let count = arguments.count > 3 ? Int(arguments[3]) ?? 200_000 : 200_000
    let exporter = try OTLPExporter(options: .init(endpoint: endpoint, delivery: DeliveryOptions(queueCapacity: count, batchSize: 512)),
                                    clock: KernelClock())
    let hops = (0..<count).map { hop($0, first: KernelClock.monotonicNs()) }
    let start = Date()
    for hop in hops { exporter.submit(hop) }
    let submitted = Date().timeIntervalSince(start)
    guard exporter.flush(timeout: .seconds(600)) else { fatalError("not flushed: \(exporter.lastFailure ?? "")") }
    let elapsed = Date().timeIntervalSince(start)
    let counters = exporter.counters
    print(String(format: "exported %d of %d spans in %.2f s: %.0f spans/s; submit %.0f ns per span; dropped %d",
                 counters.exported, count, elapsed, Double(counters.exported) / elapsed, submitted / Double(count) * 1e9, counters.dropped))
    exporter.shutdown(timeout: .zero)
case "soak":
    let seconds = arguments.count > 3 ? Double(arguments[3]) ?? 60 : 60
    let exporter = try OTLPExporter(options: .init(endpoint: endpoint), clock: KernelClock())
    let start = Date()
    var next = start, submitted = 0, samples: [Int] = []
    while Date().timeIntervalSince(start) < seconds {
        let now = KernelClock.monotonicNs()
        for _ in 0..<1_000 {
            exporter.submit(hop(submitted, first: now))
            submitted += 1
        }
        if Date() >= next {
            samples.append(residentKiB())
            next += 1
        }
    }
    let counters = exporter.counters
    print("submitted \(submitted) in \(seconds) s; exported \(counters.exported), dropped queue full \(counters.droppedQueueFull), "
          + "after retries \(counters.droppedAfterRetries), failed requests \(counters.failedRequests)")
    print("RSS KiB each second: \(samples)")
    exporter.shutdown(timeout: .zero)
default:
    print("unknown mode \(arguments[1])")
    exit(2)
}
