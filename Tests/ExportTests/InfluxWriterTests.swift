import Export
import TestSupport
import XCTest

/// The line-protocol writer against a real InfluxDB 1.6: points read back exactly as written,
/// and writing survives the server going away and coming back.
final class InfluxWriterTests: XCTestCase {
    private var influx: InfluxServer?
    private var writers: [InfluxWriter] = []

    override func tearDown() {
        writers.forEach { $0.shutdown(timeout: .zero) }
        writers = []
        influx?.stop()
        influx = nil
    }

    private let quick = DeliveryOptions(queueCapacity: 256, batchSize: 50, flushInterval: .milliseconds(100), maxAttempts: 2,
                                        initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200), requestTimeout: .seconds(2))

    private func makeWriter(_ url: URL, database: String, clock: KernelClock = KernelClock()) throws -> InfluxWriter {
        let writer = try InfluxWriter(options: .init(url: url, database: database, delivery: quick), clock: clock)
        writers.append(writer)
        return writer
    }

    func testPointsReadBackExactlyAsWritten() throws {
        let influx = try InfluxServer()
        self.influx = influx
        try influx.createDatabase("meshtrace")
        // One offset for the whole test, so the expected times can be computed exactly.
        let clock = KernelClock(refreshInterval: .seconds(3600))
        let writer = try makeWriter(influx.url, database: "meshtrace", clock: clock)
        // Tag values with the characters line protocol escapes.
        var hops: [HopObservation] = []
        for index in 0..<40 {
            let node = index % 4 < 2 ? "node1" : "node 2,a=b"
            let latency = UInt64(1_000 + index * 91)
            hops.append(try Observations.hop(index % 2 == 0 ? "rx" : "tx", node: node, latencyNs: latency))
        }
        hops.append(try Observations.hop("rx", node: #"back\slash"#, format: "b3", traceId: Observations.randomHex(16)))
        // A replay's timestamps are the capture's wall clock already: written as they are.
        var replayed = try Observations.hop("tx")
        replayed.clock = .realtime
        replayed.firstTimestampNs = 1_764_000_000_123_456_789
        replayed.secondTimestampNs = replayed.firstTimestampNs + 4_000
        hops.append(replayed)
        for hop in hops { XCTAssertTrue(writer.submit(hop)) }
        XCTAssertTrue(writer.flush(timeout: .seconds(10)))
        XCTAssertEqual(writer.counters.exported, hops.count, "last failure: \(writer.lastFailure ?? "none")")

        let result = try influx.select("SELECT * FROM meshtrace_hop", database: "meshtrace")
        XCTAssertEqual(result.columns, ["time", "hop", "latency_ns", "node", "point_from", "point_to", "seq", "trace_id"])
        let offset = clock.offset()
        let expected = hops.map { (hop: HopObservation) -> [String] in
            let time = hop.clock == .realtime ? hop.firstTimestampNs : offset.wallClockNs(monotonicNs: hop.firstTimestampNs)
            return ["\(time)", hop.hop, "\(hop.latencyNs)", hop.node, hop.from.name, hop.to.name, "\(hop.tcpSequence!)", hop.context!.traceId]
        }
        let rows = result.rows.map { row in row.map { "\($0)" } }
        XCTAssertEqual(rows.sorted { $0.lexicographicallyPrecedes($1) }, expected.sorted { $0.lexicographicallyPrecedes($1) })
    }

    func testLinesWithANewlineAreDroppedAndCounted() throws {
        let writer = try makeWriter(URL(string: "http://127.0.0.1:\(try Loopback.freePort())")!, database: "meshtrace")
        XCTAssertFalse(writer.submit(try Observations.hop(node: "node\n1")))
        XCTAssertEqual(writer.counters.droppedUnencodable, 1)
    }

    func testServerDownThenUpThenDownAgain() throws {
        let port = try Loopback.freePort()
        let writer = try makeWriter(URL(string: "http://127.0.0.1:\(port)")!, database: "meshtrace")

        let start = Date()
        for _ in 0..<2_000 { writer.submit(try Observations.hop()) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0, "submits never wait for the server")
        XCTAssertTrue(writer.flush(timeout: .seconds(20)))
        XCTAssertEqual(writer.counters.exported, 0)
        XCTAssertGreaterThan(writer.counters.droppedQueueFull, 0)
        XCTAssertEqual(writer.counters.droppedQueueFull + writer.counters.droppedAfterRetries, 2_000)
        XCTAssertGreaterThan(writer.counters.failedRequests, 0)

        let influx = try InfluxServer(port: port)
        self.influx = influx
        try influx.createDatabase("meshtrace")
        var batch = try (0..<10).map { _ in try Observations.hop() }
        batch.forEach { writer.submit($0) }
        XCTAssertTrue(writer.flush(timeout: .seconds(20)))
        XCTAssertEqual(try traceIds(in: influx), Set(batch.map { $0.context!.traceId }), "points flow once the server is up")

        influx.stop()
        for _ in 0..<500 { writer.submit(try Observations.hop()) }
        XCTAssertTrue(writer.flush(timeout: .seconds(20)))
        XCTAssertEqual(writer.counters.dropped, 2_500)

        try influx.restart()
        let more = try (0..<10).map { _ in try Observations.hop() }
        more.forEach { writer.submit($0) }
        XCTAssertTrue(writer.flush(timeout: .seconds(20)))
        batch += more
        XCTAssertEqual(try traceIds(in: influx), Set(batch.map { $0.context!.traceId }), "and again after it came back")
        XCTAssertEqual(writer.counters.exported, 20)
    }

    /// A server that accepts connections and never answers (frozen with SIGSTOP): writes time out,
    /// submits are not held up, and points flow again once it answers.
    func testServerThatStopsAnsweringThenAnswersAgain() throws {
        let influx = try InfluxServer()
        self.influx = influx
        try influx.createDatabase("meshtrace")
        let writer = try makeWriter(influx.url, database: "meshtrace")
        influx.process.pause()
        let start = Date()
        for _ in 0..<1_000 { writer.submit(try Observations.hop()) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0, "submits never wait for the server")
        try Loopback.wait("a timed-out write", timeout: 10) { writer.counters.failedRequests > 0 }
        XCTAssertTrue(writer.lastFailure?.contains("timed out") ?? false, writer.lastFailure ?? "no failure")
        XCTAssertGreaterThan(writer.counters.droppedQueueFull, 0)

        influx.process.resume()
        XCTAssertTrue(writer.flush(timeout: .seconds(30)))
        let after = try (0..<10).map { _ in try Observations.hop() }
        after.forEach { writer.submit($0) }
        XCTAssertTrue(writer.flush(timeout: .seconds(20)))
        XCTAssertTrue(Set(after.map { $0.context!.traceId }).isSubset(of: try traceIds(in: influx)), "points flow again")
        XCTAssertEqual(writer.counters.exported + writer.counters.dropped, 1_010, "every point is accounted for: \(writer.counters)")
    }

    private func traceIds(in influx: InfluxServer) throws -> Set<String> {
        let result = try influx.select("SELECT trace_id FROM meshtrace_hop", database: "meshtrace")
        return Set(result.rows.compactMap { $0.last as? String })
    }
}
