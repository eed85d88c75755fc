import Export
import TestSupport
import XCTest

/// The metrics server scraped by a real Prometheus: the histogram's buckets and median, and the
/// counters, are what the observations and the runner's totals say.
final class PrometheusMetricsTests: XCTestCase {
    private var server: MetricsServer?
    private var prometheus: PrometheusServer?

    override func tearDown() {
        prometheus?.stop()
        try? server?.stop()
        prometheus = nil
        server = nil
    }

    private func start(_ metrics: MeshtraceMetrics) throws -> PrometheusServer {
        let server = try MetricsServer(address: ListenAddress(host: "127.0.0.1", port: 0), metrics: metrics)
        self.server = server
        let prometheus = try PrometheusServer(scraping: "127.0.0.1:\(server.address.port)")
        self.prometheus = prometheus
        return prometheus
    }

    private static func bucket(of seconds: Double) -> Int {
        MeshtraceMetrics.latencyBuckets.firstIndex { seconds <= $0 * (1 + 1e-9) } ?? MeshtraceMetrics.latencyBuckets.count
    }

    func testHistogramAgreesWithTheObservationsAndCountersWithTheTotals() throws {
        let metrics = MeshtraceMetrics()
        // Log-uniform latencies from 1 µs to 40 µs, what the testbed's hops take.
        var latencies: [String: [UInt64]] = ["rx": [], "tx": []]
        for (hop, count) in [("rx", 300), ("tx", 120)] {
            for _ in 0..<count {
                let latency = UInt64(pow(10, Double.random(in: 3.0...4.6)))
                latencies[hop]!.append(latency)
                metrics.record(try Observations.hop(hop, latencyNs: latency))
            }
        }
        let podHop = try Observations.hop("rx", latencyNs: 5_000, pod: PodIdentity(name: "reviews-v1-abc", namespace: "bookinfo"))
        metrics.record(podHop)
        latencies["rx"]!.append(5_000)
        var negative = try Observations.hop("tx")
        negative.secondTimestampNs = negative.firstTimestampNs - 10
        metrics.record(negative)

        var totals = RunnerCounters()
        totals.packets = 91_000; totals.events = 8_123; totals.joined = 4_000; totals.unmatched = 17; totals.timedOut = 5
        totals.evicted = 3; totals.duplicates = 9; totals.kernelDrops = 216; totals.userDrops = 2; totals.pendingJoins = 13
        totals.kernel = ["packets": 91_000, "not_http": 80_000, "no_context": 2_877, "ringbuf_full": 216]
        var otlp = ExportCounters()
        otlp.exported = 3_900; otlp.droppedQueueFull = 70; otlp.droppedAfterRetries = 30; otlp.failedRequests = 6
        totals.exporters = ["otlp": otlp]
        totals.programRuns = ["ingress": 60_000, "egress": 31_000]
        totals.programNanoseconds = ["ingress": 27_000_000, "egress": 9_300_000]
        metrics.update(totals)
        let prometheus = try start(metrics)

        _ = try prometheus.waitFor("meshtrace_joined_total") { $0.first?.value == 4_000 }
        let expected: [(String, Double)] = [
            ("meshtrace_packets_total", 91_000), ("meshtrace_events_total", 8_123), ("meshtrace_unmatched_total", 17),
            ("meshtrace_timed_out_total", 5), ("meshtrace_evicted_total", 3), ("meshtrace_duplicates_total", 9),
            ("meshtrace_kernel_drops_total", 216), ("meshtrace_user_drops_total", 2), ("meshtrace_pending_joins", 13),
            ("meshtrace_kernel_counter_total{counter=\"not_http\"}", 80_000),
            ("meshtrace_kernel_counter_total{counter=\"ringbuf_full\"}", 216),
            ("meshtrace_export_exported_total{exporter=\"otlp\"}", 3_900),
            ("meshtrace_export_dropped_total{exporter=\"otlp\",reason=\"queue_full\"}", 70),
            ("meshtrace_export_dropped_total{exporter=\"otlp\",reason=\"after_retries\"}", 30),
            ("meshtrace_export_failed_requests_total{exporter=\"otlp\"}", 6),
            ("meshtrace_hop_negative_latency_total{hop=\"tx\"}", 1),
            ("meshtrace_program_runs_total{hook=\"ingress\"}", 60_000),
            ("meshtrace_program_run_nanoseconds_total{hook=\"egress\"}", 9_300_000),
            // ns a run, as a dashboard reads it
            ("meshtrace_program_run_nanoseconds_total{hook=\"ingress\"} / meshtrace_program_runs_total{hook=\"ingress\"}", 450),
        ]
        for (query, value) in expected {
            XCTAssertEqual(try prometheus.query(query).map(\.value), [value], query)
        }
        XCTAssertEqual(try prometheus.query("count(meshtrace_kernel_counter_total)").first?.value, 4)

        for hop in ["rx", "tx"] {
            let observed = latencies[hop]!.map { Double($0) / 1e9 }.sorted()
            let buckets = try prometheus.query("sum by (le) (meshtrace_hop_latency_seconds_bucket{hop=\"\(hop)\"})")
            XCTAssertEqual(buckets.count, MeshtraceMetrics.latencyBuckets.count + 1, "every bucket and +Inf")
            for series in buckets {
                let bound = series.labels["le"] == "+Inf" ? Double.infinity : try XCTUnwrap(Double(series.labels["le"] ?? ""))
                XCTAssertEqual(series.value, Double(observed.filter { $0 <= bound * (1 + 1e-9) }.count), "\(hop) bucket le=\(bound)")
            }
            // histogram_quantile's rank is q·n: the bucket it reports holds the ⌈n/2⌉-th smallest observation
            // (with n even that is not observed[n/2], which may sit one bucket higher).
            let median = observed[Int((0.5 * Double(observed.count)).rounded(.up)) - 1]
            let quantile = try prometheus.query("histogram_quantile(0.5, sum by (le, hop) (meshtrace_hop_latency_seconds_bucket{hop=\"\(hop)\"}))")
            let estimate = try XCTUnwrap(quantile.first?.value)
            XCTAssertEqual(Self.bucket(of: estimate), Self.bucket(of: median),
                           "\(hop): Prometheus's median \(estimate) s and ours \(median) s fall in the same bucket")
        }
        // Per-pod labels only on the hop whose point is a pod.
        let podSeries = try prometheus.query("meshtrace_hop_latency_seconds_count{pod!=\"\"}")
        XCTAssertEqual(podSeries.map(\.labels["pod"]), ["reviews-v1-abc"])
        XCTAssertEqual(podSeries.map(\.labels["namespace"]), ["bookinfo"])
        XCTAssertEqual(podSeries.map(\.value), [1])
        XCTAssertEqual(try prometheus.query("count(meshtrace_hop_latency_seconds_count{pod=\"\"})").first?.value, 2)

        // The counters follow the totals: up, and down to a reset when their source restarted.
        totals.joined = 4_500
        totals.kernel["ringbuf_full"] = 300
        metrics.update(totals)
        _ = try prometheus.waitFor("meshtrace_joined_total") { $0.first?.value == 4_500 }
        XCTAssertEqual(try prometheus.query("meshtrace_kernel_counter_total{counter=\"ringbuf_full\"}").first?.value, 300)
        totals.joined = 40
        metrics.update(totals)
        _ = try prometheus.waitFor("meshtrace_joined_total") { $0.first?.value == 40 }
        XCTAssertEqual(try prometheus.query("resets(meshtrace_joined_total[1m])").first?.value, 1)
    }

    /// The scraper goes away while the runner keeps recording, and comes back: the server is
    /// unaffected and the new scrapes see everything recorded meanwhile.
    func testScrapesResumeAfterPrometheusRestarts() throws {
        let metrics = MeshtraceMetrics()
        var totals = RunnerCounters()
        totals.joined = 10
        metrics.update(totals)
        let prometheus = try start(metrics)
        _ = try prometheus.waitFor("meshtrace_joined_total") { $0.first?.value == 10 }
        prometheus.stop()
        for _ in 0..<25 { metrics.record(try Observations.hop("tx", latencyNs: 3_000)) }
        totals.joined = 35
        metrics.update(totals)
        try prometheus.restart()
        _ = try prometheus.waitFor("meshtrace_joined_total") { $0.first?.value == 35 }
        XCTAssertEqual(try prometheus.waitFor("meshtrace_hop_latency_seconds_count{hop=\"tx\"}") { $0.first?.value == 25 }.count, 1)
    }

    func testOnlyGETMetricsIsServed() throws {
        let server = try MetricsServer(address: try ListenAddress(parsing: "127.0.0.1:0"), metrics: MeshtraceMetrics())
        self.server = server
        let base = "http://127.0.0.1:\(server.address.port)"
        let metrics = try HTTPClient.get("\(base)/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.text.contains("meshtrace_pending_joins 0"), metrics.text)
        XCTAssertEqual(try HTTPClient.get("\(base)/").status, 404)
        XCTAssertEqual(try HTTPClient.post("\(base)/metrics", body: "").status, 405)
    }

    func testListenAddressParsing() throws {
        XCTAssertEqual(try ListenAddress(parsing: "127.0.0.1:9464"), ListenAddress(host: "127.0.0.1", port: 9464))
        XCTAssertEqual(try ListenAddress(parsing: "[::1]:9464"), ListenAddress(host: "::1", port: 9464))
        XCTAssertThrowsError(try ListenAddress(parsing: "::1:9464"))
        XCTAssertThrowsError(try ListenAddress(parsing: "localhost"))
        XCTAssertThrowsError(try ListenAddress(parsing: "127.0.0.1:70000"))
    }
}
