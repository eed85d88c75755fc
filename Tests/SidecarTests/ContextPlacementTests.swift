import Lab
import XCTest

/// The same requests through a stock Envoy and through one with the context-first filter, read
/// back off the upstream wire: stock leaves the tracer's context at the end of the header block,
/// context-first puts every context header right after Host and changes nothing else.
final class ContextPlacementTests: XCTestCase {
    private var sidecars: [Sidecar] = []

    override func tearDown() {
        sidecars.forEach { $0.stop() }
        sidecars = []
        super.tearDown()
    }

    func testOpenTelemetryContextMovesFromTheEndToRightAfterHost() throws {
        let context = [("traceparent", "00-\(TestRequest.appTraceID)-\(TestRequest.appSpanID)-01")]
        try compare(tracer: .openTelemetry, tracerNames: ["traceparent", "tracestate"],
                    requests: TestRequest.common(context: context))
    }

    func testZipkinB3ContextMovesFromTheEndToRightAfterHost() throws {
        let multi = [("X-B3-TraceId", TestRequest.appTraceID), ("X-B3-SpanId", TestRequest.appSpanID),
                     ("X-B3-ParentSpanId", "00f067aa0ba902b7"), ("X-B3-Sampled", "1"), ("X-B3-Flags", "1")]
        let single = TestRequest("b3-single", "GET /b3 HTTP/1.1", headers: [
            ("Host", "web.shop.svc"), ("Accept", "*/*"), ("b3", "\(TestRequest.appTraceID)-\(TestRequest.appSpanID)-1"), ("X-Tenant", "red")])
        try compare(tracer: .zipkin, tracerNames: ["x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "b3", "traceparent"],
                    requests: TestRequest.common(context: multi) + [single])
    }

    /// The upstream filters run per attempt: a retried request is context-first on both attempts.
    func testRetryIsContextFirstToo() throws {
        let sidecar = try start(.contextFirst, .openTelemetry)
        let request = TestRequest("retried", "GET /flaky HTTP/1.1", headers: [
            ("Host", "flaky.shop.svc"), ("User-Agent", "shop-frontend/2.1"), ("X-Fail-Once", UUID().uuidString)])
        XCTAssertEqual(try sidecar.send(request.bytes), "HTTP/1.1 200 OK")
        let attempts = try sidecar.records().filter { $0.values("x-test-request") == [request.name] }
        XCTAssertEqual(attempts.count, 2, "the upstream fails the first attempt, so Envoy retries once")
        for attempt in attempts { try assertContextFirst(attempt, sent: request) }
        XCTAssertEqual(attempts.map(Placement.others), [Placement.others(attempts[0]), Placement.others(attempts[0])])
        XCTAssertEqual(attempts.map { $0.values("traceparent") }, [attempts[0].values("traceparent"), attempts[0].values("traceparent")])
    }

    // MARK: -

    private func start(_ router: SidecarConfig.Router, _ tracer: SidecarConfig.Tracer) throws -> Sidecar {
        let binary: String
        switch EnvoyBinary.locate() {
        case .success(let path): binary = path
        case .failure(let reason): throw XCTSkip(reason.description)
        }
        let sidecar = try Sidecar(envoyBinary: binary, router: router, tracer: tracer)
        sidecars.append(sidecar)
        return sidecar
    }

    private func compare(tracer: SidecarConfig.Tracer, tracerNames: Set<String>, requests: [TestRequest]) throws {
        let stock = try start(.stock, tracer), contextFirst = try start(.contextFirst, tracer)
        for request in requests {
            XCTAssertEqual(try stock.send(request.bytes), "HTTP/1.1 200 OK", request.name)
            XCTAssertEqual(try contextFirst.send(request.bytes), "HTTP/1.1 200 OK", request.name)
        }
        let stockRecords = try stock.records(), contextFirstRecords = try contextFirst.records()
        for request in requests {
            let before = try XCTUnwrap(stockRecords.first { $0.values("x-test-request") == [request.name] }, request.name)
            let after = try XCTUnwrap(contextFirstRecords.first { $0.values("x-test-request") == [request.name] }, request.name)
            try assertTracerContextLast(before, tracerNames: tracerNames, sent: request)
            try assertContextFirst(after, sent: request)
            XCTAssertEqual(Placement.others(after), Placement.others(before), "\(request.name): the other headers, as stock Envoy sends them")
            XCTAssertEqual(after.headers.filter(Placement.isContext).map(\.name), before.headers.filter(Placement.isContext).map(\.name),
                           "\(request.name): the same context headers in the same order")
            // Where a generated eBPF program has to look, for the report.
            print("\(tracer) \(request.name): stock: context on header lines \(Placement.contextLines(before)), bytes "
                  + "\(Placement.contextBytes(before)); context-first: lines \(Placement.contextLines(after)), bytes \(Placement.contextBytes(after))")
        }
    }

    /// Stock Envoy: the tracer's headers close the header block; the body arrives whole.
    private func assertTracerContextLast(_ record: WireRequest, tracerNames: Set<String>, sent: TestRequest) throws {
        var names = record.headers.map { $0.name.lowercased() }
        // The HTTP/1.1 codec writes the chunked framing header itself, after every header of the map.
        if sent.chunked { XCTAssertEqual(names.popLast(), "transfer-encoding", "\(sent.name): \(record.headers)") }
        let tail = names.reversed().prefix { tracerNames.contains($0) }
        XCTAssertGreaterThanOrEqual(tail.count, 2, "\(sent.name): the tracer's headers end the block: \(record.headers)")
        XCTAssertEqual(names.filter(tracerNames.contains).count, tail.count, "\(sent.name): no tracer header before the last ones: \(record.headers)")
        XCTAssertGreaterThan(names.count - tail.count, 2, "\(sent.name): other headers come before them")
        XCTAssertEqual(record.body, sent.body, "\(sent.name): body")
    }

    /// Context-first: Host, then every context header, then the rest: the application's headers
    /// in their order with every repeat, and the body byte for byte.
    private func assertContextFirst(_ record: WireRequest, sent: TestRequest) throws {
        let lines = Placement.contextLines(record)
        XCTAssertEqual(record.headers.first?.name.lowercased(), "host", "\(sent.name): Envoy writes Host first: \(record.headers)")
        XCTAssertGreaterThanOrEqual(lines.count, 2, "\(sent.name): a context: \(record.headers)")
        XCTAssertEqual(lines, Array(2..<(2 + lines.count)), "\(sent.name): the context right after Host: \(record.headers)")
        let sentOthers = sent.headers.filter { !Placement.contextNames.contains($0.name.lowercased()) && $0.name.lowercased() != "host" }
            .map { WireRequest.Header(name: $0.name.lowercased(), value: $0.value) }
        let wireOthers = record.headers.dropFirst(1 + lines.count).map { WireRequest.Header(name: $0.name.lowercased(), value: $0.value) }
        XCTAssertTrue(Self.isSubsequence(sentOthers, of: wireOthers), "\(sent.name): the application's headers in order:\n\(sentOthers)\n\(wireOthers)")
        for sentContext in sent.headers where Placement.contextNames.contains(sentContext.name.lowercased()) {
            let traceID = TestRequest.appTraceID
            XCTAssertTrue(record.headers.prefix(1 + lines.count).contains { $0.value.contains(traceID) },
                          "\(sent.name): the application's trace \(traceID) (\(sentContext.name)) goes on")
        }
        for traceparent in record.values("traceparent") {
            XCTAssertNotNil(traceparent.wholeMatch(of: /00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]/), "\(sent.name): \(traceparent)")
        }
        XCTAssertEqual(record.body, sent.body, "\(sent.name): body")
    }

    private static func isSubsequence(_ small: [WireRequest.Header], of large: [WireRequest.Header]) -> Bool {
        var rest = large[...]
        for item in small {
            guard let index = rest.firstIndex(of: item) else { return false }
            rest = rest[(index + 1)...]
        }
        return true
    }
}
