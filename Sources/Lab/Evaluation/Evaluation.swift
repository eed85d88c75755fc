import Foundation

/// §4 of Lee et al. on the mesh: Table 1 (end-to-end latency through the gateway, original vs
/// proposed, open loop, tracing on both points), Fig. 8 (detection rate of productpage's requests
/// against the search window), Fig. 9 (rx and tx latency at productpage, meshtrace vs tcpdump on
/// the same interfaces, matched by inner 5-tuple and TCP sequence number), and the context-first
/// filter's own cost (scripts/sidecar-cost). Writes results.json, report.md and the plots to `output`.
public struct Evaluation {
    public var mesh: Mesh
    public var plan: EvaluationPlan
    public var spec: String
    public var output: URL
    public var log: (String) -> Void

    public init(mesh: Mesh, plan: EvaluationPlan, spec: String, output: URL, log: @escaping (String) -> Void = { print($0) }) {
        self.mesh = mesh
        self.plan = plan
        self.spec = spec
        self.output = output
        self.log = log
    }

    /// Runs it all, tears the mesh down (also on failure), and returns what it wrote to results.json.
    @discardableResult
    public func run() throws -> EvaluationResults {
        let started = Date()
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var objects = EvaluationObjects(spec: spec, directory: output.appendingPathComponent("objects"))
        var results = EvaluationResults(plan: plan)
        results.loadAverage = [Self.loadAverage()]
        defer { try? mesh.down() }
        // Generate first: compiling is the slow part, and the mesh need not idle meanwhile.
        for window in plan.windows { _ = try objects.object(EvaluationPlan.detectionFlags(window: window), log: log) }
        for format in MeshVariant.Format.allCases { _ = try objects.object(EvaluationPlan.tracingFlags(format), log: log) }
        var measured: [String: [ProductpageObservation]] = [:]
        for round in 0..<plan.rounds {
            let formats = round % 2 == 0 ? MeshVariant.Format.allCases : MeshVariant.Format.allCases.reversed()
            for format in formats {
                try mesh.up(MeshVariant(format: format, tracer: plan.tracer))
                log("round \(round + 1) of \(plan.rounds): mesh up with \(format.sidecar) sidecars")
                // Warm the proxies' upstream connections so the first measured requests are not the handshakes.
                _ = try mesh.openLoop(qps: 20, seconds: 1)
                if round == 0 { try detect(format, objects: &objects, into: &results) }
                let object = try objects.object(EvaluationPlan.tracingFlags(format), log: log)
                for load in plan.loads {
                    let seen = try ProductpageObservation.run(mesh: mesh, object: object, qps: load.qps, seconds: load.seconds / Double(plan.rounds))
                    measured["\(format.rawValue)/\(load.qps)", default: []].append(seen)
                }
            }
        }
        for format in MeshVariant.Format.allCases {
            for load in plan.loads { record(measured["\(format.rawValue)/\(load.qps)"] ?? [], qps: load.qps, format: format, into: &results) }
        }
        // In the client pod, whose loopback is its own, while the mesh idles.
        results.sidecarCostUs = try SidecarCost.measure(in: mesh, seconds: plan.sidecarCostSeconds, log: log)
        try mesh.down()
        results.seconds = Date().timeIntervalSince(started)
        results.loadAverage.append(Self.loadAverage())
        results.contextOffsets = results.contextOffsets.mapValues { Array(Set($0)).sorted() }
        try write(results)
        return results
    }

    /// Fig. 8: each window's object on live traffic, against what tcpdump saw at productpage's vport.
    private func detect(_ format: MeshVariant.Format, objects: inout EvaluationObjects, into results: inout EvaluationResults) throws {
        for window in plan.windows {
            let object = try objects.object(EvaluationPlan.detectionFlags(window: window), log: log)
            let seen = try ProductpageObservation.run(mesh: mesh, object: object, qps: plan.detectionQps,
                                                      seconds: Double(plan.detectionRequests) / plan.detectionQps)
            let rate = seen.atVport.isEmpty ? 0 : Double(seen.detected) / Double(seen.atVport.count)
            results.detection.append(.init(format: format, window: window, rate: rate, requests: seen.atVport.count, detected: seen.detected))
            results.contextOffsets[format.rawValue, default: []] += seen.contextOffsets
            log(String(format: "detection %@ %5d B: %3.0f %% of %d request packets", format.rawValue, window, rate * 100, seen.atVport.count))
        }
    }

    /// Table 1's row and Fig. 9's hops for one format and load, over every round.
    private func record(_ rounds: [ProductpageObservation], qps: Double, format: MeshVariant.Format, into results: inout EvaluationResults) {
        let latencies = rounds.flatMap(\.load.latenciesMs), failed = rounds.map(\.load.failures.count).reduce(0, +)
        let e2e = Distribution(latencies)
        results.e2e.append(.init(qps: qps, format: format, minMs: e2e.min, medianMs: e2e.median, meanMs: e2e.mean, p99Ms: e2e.quantile(0.99),
                                 maxMs: e2e.max, requests: e2e.sorted.count, failed: failed))
        results.samples.append(.init(kind: "e2e", qps: qps, format: format, source: "openloop", values: latencies))
        log(String(format: "e2e %@ %g QPS: median %.1f ms, p99 %.1f ms, %d ok, %d failed", format.rawValue, qps, e2e.median, e2e.quantile(0.99),
                   e2e.sorted.count, failed))
        for hop in ["rx", "tx"] {
            let sources = [("meshtrace", rounds.flatMap { $0.meshtraceLatencies(hop) }), ("tcpdump", rounds.flatMap { $0.tcpdumpLatencies(hop) })]
            for (source, values) in sources {
                let d = Distribution(values)
                results.hops.append(.init(qps: qps, format: format, hop: hop, source: source, count: values.count,
                                          medianUs: d.median, meanUs: d.mean, p99Us: d.quantile(0.99)))
                results.samples.append(.init(kind: hop, qps: qps, format: format, source: source, values: values))
                log(String(format: "  %@ %@: %d packets, median %.1f µs, p99 %.1f µs", hop, source, values.count, d.median, d.quantile(0.99)))
            }
        }
    }

    static func loadAverage() -> Double {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").first.flatMap { Double($0) } ?? 0
    }

    private func write(_ results: EvaluationResults) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = output.appendingPathComponent("results.json")
        try encoder.encode(results).write(to: json)
        try Self.redraw(from: json, into: output)
    }

    /// report.md and the plots from a results.json (this run's, or an earlier one's), into `output`.
    @discardableResult
    public static func redraw(from json: URL, into output: URL) throws -> EvaluationResults {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let results = try decoder.decode(EvaluationResults.self, from: Data(contentsOf: json))
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try EvaluationPlots.draw(results: json, into: output)
        try EvaluationReport(results: results).markdown().write(to: output.appendingPathComponent("report.md"), atomically: true, encoding: .utf8)
        return results
    }
}
