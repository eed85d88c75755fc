import Foundation
import Lab
import Runner
import TestSupport
import XCTest

/// The whole path on the testbed: real requests through the VXLAN overlay, meshtrace-run on both
/// nodes exporting to a real OTLP collector (rotel) in each node's namespace: every joined hop
/// arrives as one span in the request's own trace, under the span that sent the request, lasting
/// exactly the latency the runner printed.
final class LabSpanTests: XCTestCase {
    var testbed: Testbed!
    var collectors: [String: RotelCollector] = [:]

    override func setUpWithError() throws {
        try Generated.requireRoot()
        _ = try Programs.rotel()
        let letters = "abcdefghijklmnopqrstuvwxyz"
        testbed = try Testbed(prefix: "mtx" + String((0..<5).map { _ in letters.randomElement()! }))
        try testbed.up()
    }

    override func tearDownWithError() throws {
        for collector in collectors.values { collector.stop() }
        collectors.removeAll()
        try testbed?.down()
    }

    func testEveryJoinedHopIsASpanUnderTheSenderSpan() throws {
        let object = try Generated.output(.init(spec: "mesh")).object.path
        let port = 4318
        for node in testbed.topology.nodes {
            collectors[node.name] = try RotelCollector(httpPort: port, namespace: node.namespace)
        }
        let tracing = TracingRun(testbed: testbed)
        let metricsPort = 9464
        try tracing.start(object: object, extraArguments: ["--otlp-endpoint", "http://127.0.0.1:\(port)",
                                                           "--metrics-address", "127.0.0.1:\(metricsPort)", "--program-cost"]) { node in
            ["--node-name", node.name]
        }
        let sent = try testbed.sendRequests(count: 20, placement: .fixed)
        XCTAssertTrue(sent.failures.isEmpty, "\(sent.failures)")
        // From the last request to its spans at both collectors (while the runners run on).
        let sentAt = Date()
        for collector in collectors.values { try collector.waitForTraces(Set(sent.requests.map(\.context.traceId)), timeout: 10) }
        print(String(format: "spans visible at both collectors %.2f s after the last request was sent", Date().timeIntervalSince(sentAt)))
        // The runner publishes its totals every second: wait for a refresh, then scrape each node's.
        Thread.sleep(forTimeInterval: 2.5)
        var scraped: [String: String] = [:]
        for node in testbed.topology.nodes {
            let curl = try Command.run(["ip", "netns", "exec", node.namespace, "curl", "-sf", "http://127.0.0.1:\(metricsPort)/metrics"])
            XCTAssertTrue(curl.succeeded, "\(node.name): /metrics: \(curl.stderr)")
            scraped[node.name] = curl.stdout
        }
        let outputs = tracing.stop()
        let senders = Dictionary(uniqueKeysWithValues: sent.requests.map { ($0.context.traceId, $0.context.spanId) })
        defer { printSpanTree(of: sent.requests[0].context.traceId, sender: sent.requests[0].context.spanId) }
        for output in outputs {
            let packets = output.packets
            XCTAssertFalse(packets.isEmpty, "\(output.node) joined nothing: \(output.notes.suffix(5))")
            let collector = try XCTUnwrap(collectors[output.node])
            let spans = try collector.waitForSpans(packets.count)
            XCTAssertEqual(spans.count, packets.count, "\(output.node): one span per joined hop")
            let exports = try XCTUnwrap(output.summary?.exports["otlp"], "the summary counts the exporter")
            XCTAssertEqual(exports.exported, packets.count)
            XCTAssertEqual(exports.dropped, 0)
            for packet in packets {
                let traceId = try XCTUnwrap(packet.traceId)
                let span = try XCTUnwrap(spans.first { $0.traceId == traceId && $0.attributes["meshtrace.hop"] == "Str(\(packet.hop))" },
                                         "\(output.node) \(packet.hop) \(traceId): no span")
                XCTAssertEqual(span.parentId, senders[traceId], "the parent is the span that sent the request")
                XCTAssertEqual(span.parentId, packet.spanId)
                XCTAssertEqual(span.name, "network \(packet.hop)")
                XCTAssertEqual(Int64(span.end) - Int64(span.start), packet.latencyNs, "the span lasts the hop's latency")
                XCTAssertEqual(span.attributes["meshtrace.node"], "Str(\(output.node))")
                XCTAssertEqual(span.attributes["meshtrace.tcp.seq"], packet.seq.map { "Int(\($0))" })
                XCTAssertEqual(span.resource["service.name"], "Str(meshtrace)")
            }
            let metrics = try XCTUnwrap(scraped[output.node])
            let hop = try XCTUnwrap(packets.first?.hop)
            XCTAssertTrue(metrics.contains("meshtrace_hop_latency_seconds_count{hop=\"\(hop)\",node=\"\(output.node)\"} \(packets.count)")
                          || metrics.contains("meshtrace_hop_latency_seconds_count{node=\"\(output.node)\",hop=\"\(hop)\"} \(packets.count)"),
                          "\(output.node): /metrics counts every joined hop:\n\(metrics.split(separator: "\n").filter { $0.contains("_count") }.joined(separator: "\n"))")
            XCTAssertTrue(metrics.contains("meshtrace_joined_total \(packets.count)"), "\(output.node): joined total on /metrics")
            XCTAssertTrue(metrics.contains("meshtrace_export_dropped_total") || metrics.contains("meshtrace_export_exported_total"))
            // --program-cost: the kernel's count of each hook's program, on /metrics as in the summary
            // (scraped before the stop, so at most the summary's final figure).
            for hook in ["ingress", "egress"] {
                let line = try XCTUnwrap(metrics.split(separator: "\n").first { $0.hasPrefix("meshtrace_program_runs_total{hook=\"\(hook)\"} ") },
                                         "\(output.node): no program runs for \(hook) on /metrics")
                let scrapedRuns = try XCTUnwrap(Double(line.split(separator: " ").last ?? ""))
                let finalRuns = try XCTUnwrap(output.summary?.programs?[hook]?.runs, "\(output.node): the summary has no program figures")
                XCTAssertGreaterThan(scrapedRuns, 0, "\(output.node) \(hook): \(line)")
                XCTAssertLessThanOrEqual(scrapedRuns, Double(finalRuns), "\(output.node) \(hook): \(line)")
                XCTAssertTrue(metrics.contains("meshtrace_program_run_nanoseconds_total{hook=\"\(hook)\"} "), "\(output.node) \(hook)")
            }
            print("spans \(output.node): \(packets.count) joined hop(s), \(spans.count) span(s) at the collector, "
                  + "\(exports.exported) exported, \(exports.dropped) dropped")
        }
    }

    /// One request's spans as a backend shows them: what docs/export.md quotes.
    func printSpanTree(of traceId: String, sender: String) {
        print("trace \(traceId)\n  span \(sender) (the client that sent the request; not ours)")
        let spans = testbed.topology.nodes.flatMap { node in (collectors[node.name]?.spans ?? []).filter { $0.traceId == traceId }.map { (node.name, $0) } }
        for (node, span) in spans.sorted(by: { $0.1.start < $1.1.start }) {
            let micros = Double(span.end - span.start) / 1000
            // rotel prints string attributes as Str(value)
            func text(_ key: String) -> String { span.attributes[key].map { String($0.dropFirst(4).dropLast()) } ?? "?" }
            print("    └─ \(span.name)  span \(span.spanId)  parent \(span.parentId)  \(String(format: "%.1f", micros)) µs  "
                  + "node \(node)  \(text("meshtrace.interface.from")) → \(text("meshtrace.interface.to"))")
        }
    }
}
