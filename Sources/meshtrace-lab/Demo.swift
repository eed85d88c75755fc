import ArgumentParser
import Foundation
import Lab
import Spec

/// The whole job on the testbed: generate the spec, trace both nodes, send real HTTP requests
/// in both placements, print the per-hop summary, tear down.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the testbed, trace real HTTP requests through it with specs/mesh.swift, print per-hop latency, tear down."
    )

    @OptionGroup var options: TestbedOptions

    @Option(help: "The spec to generate and attach.")
    var spec = "specs/mesh.swift"

    @Option(help: "HTTP requests to send per placement (curl-like single requests with a fresh traceparent each).")
    var requests = 50

    @Option(help: "Seconds of wrk load per placement after the single requests (0 for none).")
    var load = 3

    func run() throws {
        let testbed = try options.testbed()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrace-demo-\(getpid())")
        try InterruptTeardown.install(testbed, alsoRemove: work)
        try testbed.up()
        defer { try? testbed.down() }
        print(testbed.topology)
        defer { try? FileManager.default.removeItem(at: work) }
        // The paper's proposed format (context first, 200-byte window) and the original one
        // (context after a 1 KiB header block, found with a 2 KiB window).
        let runs: [(Placement, [String])] = [(.fixed, []), (.anywhere, ["--placement", "anywhere", "--window", "2048"])]
        for (placement, flags) in runs {
            let generated = try TracingRun.generate(spec: spec, flags: flags, into: work.appendingPathComponent("\(placement)"))
            print("\n== \(placement) placement: meshtrace-gen \(([spec] + flags).joined(separator: " "))")
            print(generated.report)
            let tracing = TracingRun(testbed: testbed)
            try tracing.start(object: generated.object)
            let sent = try testbed.sendRequests(count: requests, placement: placement)
            var total = sent.requests.count
            if load > 0 {
                let report = try testbed.load(LoadOptions(duration: load, placement: placement))
                total += report.requests
                print("wrk: \(report.requests) requests in \(String(format: "%.1f", report.seconds)) s")
            }
            let outputs = tracing.stop()
            print("sent \(total) requests from \(testbed.topology.client.name) to \(testbed.topology.server.name); per-hop latency:")
            print(Self.summaryTable(outputs))
        }
    }

    /// One row per node and hop that saw packets, from each runner's summary record.
    static func summaryTable(_ outputs: [TracingRun.NodeOutput]) -> String {
        var lines = ["node    hop   count   min[us] median[us]  mean[us]   p90[us]   p99[us]   max[us]  unmatched dup  drops(k/u)"]
        for output in outputs {
            guard let summary = output.summary else {
                lines.append("\(output.node): no summary (\(output.notes.suffix(3).joined(separator: " | ")))")
                continue
            }
            for hop in summary.hops where hop.count > 0 {
                let micros = [Double(hop.minNs), Double(hop.medianNs), hop.meanNs, Double(hop.p90Ns), Double(hop.p99Ns), Double(hop.maxNs)]
                lines.append(String(format: "%-7@ %-4@ %6d ", output.node as NSString, hop.hop as NSString, hop.count)
                    + micros.map { String(format: "%9.1f", $0 / 1000) }.joined(separator: " ")
                    + String(format: "  %9d %3d  %d/%d", summary.unmatched, summary.duplicates, summary.kernel["ringbuf_full"] ?? 0, summary.userDrops))
            }
        }
        return lines.joined(separator: "\n")
    }
}
