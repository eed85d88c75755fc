import Export
import TestSupport
import XCTest

/// The OTLP exporter against a real collector (rotel) on a loopback port: what arrives is what was
/// exported, field by field.
final class OTLPExporterTests: XCTestCase {
    private var collectors: [RotelCollector] = []
    private var exporters: [OTLPExporter] = []

    override func tearDown() {
        exporters.forEach { $0.shutdown(timeout: .zero) }
        collectors.forEach { $0.stop() }
        exporters = []
        collectors = []
    }

    private func startCollector(port: Int? = nil) throws -> RotelCollector {
        let collector = try RotelCollector(httpPort: port)
        collectors.append(collector)
        return collector
    }

    private func makeExporter(_ endpoint: URL, exportUnsampled: Bool = false, delivery: DeliveryOptions) throws -> OTLPExporter {
        let exporter = try OTLPExporter(options: .init(endpoint: endpoint, exportUnsampled: exportUnsampled, delivery: delivery), clock: KernelClock())
        exporters.append(exporter)
        return exporter
    }

    private let quick = DeliveryOptions(queueCapacity: 256, batchSize: 16, flushInterval: .milliseconds(100), maxAttempts: 2,
                                        initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200), requestTimeout: .seconds(2))

    func testEachHopArrivesAsTheSpanItWasExportedAs() throws {
        let collector = try startCollector()
        let exporter = try makeExporter(collector.endpoint, delivery: quick)
        let b3 = Observations.randomHex(16)
        var hops: [HopObservation] = []
        for index in 0..<20 {
            let latency = UInt64(1_000 + 37 * index)
            hops.append(try Observations.hop(index % 2 == 0 ? "rx" : "tx", latencyNs: latency))
        }
        // A 64-bit B3 trace id, and a B3 context that defers the sampling decision.
        hops.append(try Observations.hop("rx", latencyNs: 4_321, format: "b3", traceId: b3))
        hops.append(try Observations.hop("tx", latencyNs: 777, sampled: nil, format: "b3-single"))
        hops[1].inner = FlowTuple(family: .ipv6, transportProtocol: 6, source: "fd00:10:244:1::5", sourcePort: 40123,
                                  destination: "fd00:10:244:2::7", destinationPort: 9080)
        let submittedAt = KernelClock.realtimeNs()
        for hop in hops { XCTAssertTrue(exporter.submit(hop)) }
        XCTAssertTrue(exporter.flush(timeout: .seconds(10)), "flush: \(exporter.lastFailure ?? "")")
        XCTAssertEqual(exporter.counters.exported, hops.count, "last failure: \(exporter.lastFailure ?? "none")")
        XCTAssertEqual(exporter.counters.dropped, 0)

        let received = try collector.waitForSpans(hops.count)
        XCTAssertEqual(received.count, hops.count)
        let byTrace = Dictionary(grouping: received) { (span: ReceivedSpan) in span.traceId }
        XCTAssertNotNil(byTrace["0000000000000000" + b3], "the 64-bit B3 id arrives left-padded to 128 bits")
        for hop in hops {
            let context = try XCTUnwrap(hop.context)
            let span = try XCTUnwrap(byTrace[context.traceId]?.first, "no span for trace \(context.traceId)")
            XCTAssertEqual(span.parentId, context.parentSpanId)
            XCTAssertEqual(span.name, "network \(hop.hop)")
            XCTAssertEqual(span.kind, "SPAN_KIND_INTERNAL")
            XCTAssertEqual(span.end - span.start, UInt64(hop.latencyNs), "the span lasts exactly the kernel's latency")
            // The first kernel timestamp was taken just before `submittedAt`: converted, it lands within a few ms of it.
            XCTAssertLessThan(abs(Int64(bitPattern: span.start &- submittedAt)), 50_000_000, "start \(span.start) vs now \(submittedAt)")
            XCTAssertEqual(span.spanId.count, 16)
            XCTAssertNotEqual(span.spanId, "0000000000000000")
            XCTAssertEqual(span.resource["service.name"], "Str(meshtrace)")
            XCTAssertEqual(span.resource["host.name"], "Str(\(hop.node))")
            let inner = try XCTUnwrap(hop.inner), outer = try XCTUnwrap(hop.outer)
            let expected: [String: String] = [
                "meshtrace.hop": "Str(\(hop.hop))", "meshtrace.node": "Str(\(hop.node))",
                "meshtrace.point.from": "Str(\(hop.from.name))", "meshtrace.hook.from": "Str(\(hop.from.hook))",
                "meshtrace.point.to": "Str(\(hop.to.name))", "meshtrace.hook.to": "Str(\(hop.to.hook))",
                "meshtrace.interface.from": "Str(\(hop.from.interface!))", "meshtrace.interface.to": "Str(\(hop.to.interface!))",
                "meshtrace.tcp.seq": "Int(\(hop.tcpSequence!))", "meshtrace.vni": "Int(42)",
                "meshtrace.trace_context.format": "Str(\(context.format))",
                "network.transport": "Str(tcp)", "network.type": inner.family == .ipv6 ? "Str(ipv6)" : "Str(ipv4)",
                "source.address": "Str(\(inner.source))", "source.port": "Int(\(inner.sourcePort))",
                "destination.address": "Str(\(inner.destination))", "destination.port": "Int(\(inner.destinationPort))",
                "client.address": "Str(\(inner.source))", "client.port": "Int(\(inner.sourcePort))",
                "server.address": "Str(\(inner.destination))", "server.port": "Int(\(inner.destinationPort))",
                "meshtrace.outer.source.address": "Str(\(outer.source))", "meshtrace.outer.source.port": "Int(\(outer.sourcePort))",
                "meshtrace.outer.destination.address": "Str(\(outer.destination))",
                "meshtrace.outer.destination.port": "Int(\(outer.destinationPort))",
            ]
            XCTAssertEqual(span.attributes, expected, "attributes of trace \(context.traceId)")
        }
        XCTAssertEqual(Set(received.map(\.spanId)).count, hops.count, "every hop has its own span id")
    }

    func testTheSameHopExportedTwiceKeepsItsSpanID() throws {
        let collector = try startCollector()
        let exporter = try makeExporter(collector.endpoint, delivery: quick)
        let hop = try Observations.hop("tx")
        var sameTraceOtherSequence = try Observations.hop("tx", traceId: hop.context!.traceId)
        sameTraceOtherSequence.tcpSequence = hop.tcpSequence! &+ 1
        exporter.submit(hop)
        exporter.submit(hop)
        exporter.submit(sameTraceOtherSequence)
        XCTAssertTrue(exporter.flush(timeout: .seconds(10)))
        let received = try collector.waitForSpans(3)
        XCTAssertEqual(received[0].spanId, received[1].spanId, "a resent hop lands on the same span")
        XCTAssertNotEqual(received[0].spanId, received[2].spanId, "another packet of the trace is another span")
    }

    func testUnsampledContextsAreExportedOnlyWhenAsked() throws {
        let collector = try startCollector()
        let byDefault = try makeExporter(collector.endpoint, delivery: quick)
        let sampled = try Observations.hop("rx", sampled: true)
        let unsampled = try Observations.hop("rx", sampled: false)
        var noContext = try Observations.hop("rx")
        noContext.context = nil
        XCTAssertTrue(byDefault.submit(sampled))
        XCTAssertFalse(byDefault.submit(unsampled))
        XCTAssertFalse(byDefault.submit(noContext))
        XCTAssertTrue(byDefault.flush(timeout: .seconds(10)))
        XCTAssertEqual(byDefault.counters.exported, 1)
        XCTAssertEqual(byDefault.counters.filtered, 2)

        let optedIn = try makeExporter(collector.endpoint, exportUnsampled: true, delivery: quick)
        let unsampledToo = try Observations.hop("tx", sampled: false)
        XCTAssertTrue(optedIn.submit(unsampledToo))
        XCTAssertTrue(optedIn.flush(timeout: .seconds(10)))
        XCTAssertEqual(optedIn.counters.exported, 1)

        let traces = Set(try collector.waitForSpans(2).map(\.traceId))
        XCTAssertEqual(traces, [sampled.context!.traceId, unsampledToo.context!.traceId])
        // Give a wrongly exported span time to show up before concluding it did not.
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertFalse(collector.spans.contains { $0.traceId == unsampled.context!.traceId })
    }

    /// The collector is down when export starts, comes up, goes away, comes back: the producer is
    /// never held up, what cannot be sent is dropped and counted, and spans flow again each time.
    func testCollectorDownThenUpThenDownAgain() throws {
        let port = try Loopback.freePort()
        let exporter = try makeExporter(URL(string: "http://127.0.0.1:\(port)")!, delivery: quick)

        let whileDown = try submitTimed(exporter, count: 2_000)
        XCTAssertLessThan(whileDown.seconds, 1.0, "2000 submits with the collector down took \(whileDown.seconds) s")
        XCTAssertTrue(exporter.flush(timeout: .seconds(20)))
        var counters = exporter.counters
        XCTAssertEqual(counters.exported, 0)
        XCTAssertGreaterThan(counters.droppedQueueFull, 0)
        XCTAssertGreaterThan(counters.droppedAfterRetries, 0)
        XCTAssertGreaterThan(counters.failedRequests, 0)
        XCTAssertEqual(counters.droppedQueueFull + counters.droppedAfterRetries, 2_000, "every span is accounted for")
        XCTAssertNotNil(exporter.lastFailure)

        var collector = try startCollector(port: port)
        var after = try submitTimed(exporter, count: 10)
        XCTAssertTrue(exporter.flush(timeout: .seconds(20)))
        var arrived = Set(try collector.waitForSpans(10).map(\.traceId))
        XCTAssertEqual(arrived, after.traceIds, "spans flow once the collector is up")

        collector.stop()
        let whileGone = try submitTimed(exporter, count: 500)
        XCTAssertLessThan(whileGone.seconds, 1.0)
        XCTAssertTrue(exporter.flush(timeout: .seconds(20)))
        counters = exporter.counters
        XCTAssertEqual(counters.exported, 10)
        XCTAssertEqual(counters.dropped, 2_500)

        collector = try startCollector(port: port)
        after = try submitTimed(exporter, count: 10)
        XCTAssertTrue(exporter.flush(timeout: .seconds(20)))
        arrived = Set(try collector.waitForSpans(10).map(\.traceId))
        XCTAssertEqual(arrived, after.traceIds, "and again after it came back")
        XCTAssertEqual(exporter.counters.exported, 20)
    }

    /// A collector that accepts connections and never answers (frozen with SIGSTOP): requests time
    /// out, the producer is not held up, and spans flow again once it answers.
    func testCollectorThatStopsAnsweringThenAnswersAgain() throws {
        let collector = try startCollector()
        let exporter = try makeExporter(collector.endpoint, delivery: quick)
        collector.process.pause()
        let whileFrozen = try submitTimed(exporter, count: 1_000)
        XCTAssertLessThan(whileFrozen.seconds, 1.0, "1000 submits to a frozen collector took \(whileFrozen.seconds) s")
        try Loopback.wait("a timed-out request", timeout: 10) { exporter.counters.failedRequests > 0 }
        XCTAssertEqual(exporter.counters.exported, 0)
        XCTAssertGreaterThan(exporter.counters.droppedQueueFull, 0, "a slow collector makes the queue overflow, counted")
        XCTAssertTrue(exporter.lastFailure?.contains("timed out") ?? false, exporter.lastFailure ?? "no failure")

        collector.process.resume()
        XCTAssertTrue(exporter.flush(timeout: .seconds(30)))
        let after = try submitTimed(exporter, count: 10)
        XCTAssertTrue(exporter.flush(timeout: .seconds(20)))
        // The collector also works off the requests that timed out while it was frozen; wait for the new spans.
        try collector.waitForTraces(after.traceIds)
        let counters = exporter.counters
        XCTAssertEqual(counters.exported + counters.dropped, 1_010, "every span is accounted for: \(counters)")
    }

    func testEndpointsOtherThanPlainHTTPAreRefusedWithTheReason() {
        XCTAssertThrowsError(try OTLPExporter(options: .init(endpoint: URL(string: "https://collector:4318")!), clock: KernelClock())) {
            XCTAssertTrue("\($0)".contains("https is not supported"), "\($0)")
        }
        XCTAssertThrowsError(try InfluxWriter(options: .init(url: URL(string: "file:///tmp/x")!, database: "db"), clock: KernelClock()))
    }

    private func submitTimed(_ exporter: OTLPExporter, count: Int) throws -> (seconds: Double, traceIds: Set<String>) {
        let hops = try (0..<count).map { _ in try Observations.hop() }
        let start = Date()
        for hop in hops { exporter.submit(hop) }
        return (Date().timeIntervalSince(start), Set(hops.map { $0.context!.traceId }))
    }
}
