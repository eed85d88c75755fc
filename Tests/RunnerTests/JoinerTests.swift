import Runner
import Spec
import TraceContexts
import XCTest

/// The join on its own: pairs, duplicates, order, the cap and the timeout.
final class JoinerTests: XCTestCase {
    let hops = [Hop(name: "rx", from: .ingress(of: "nic"), to: .egress(of: "vport"))]
    let tuple = FiveTuple(family: 4, transportProtocol: 6, sourcePort: 40000, destinationPort: 9080, source: "198.19.1.2", destination: "198.19.2.2")

    func event(_ point: String, _ hook: Hook, at time: UInt64, seq: UInt64 = 1, trace: String = "a") -> PacketEvent {
        var event = PacketEvent()
        event.point = point
        event.hook = hook
        event.timestamp = time
        event.inner = tuple
        event.fields["tcp_seqNo"] = seq
        event.observedHeaders = [ObservedHeader(name: "traceparent", value: trace, length: trace.utf8.count, cut: false, occurrences: 1)]
        return event
    }

    func testPairsTheSamePacketAcrossTheHop() {
        var joiner = Joiner(hops: hops)
        XCTAssertTrue(joiner.add(event("nic", .ingress, at: 1_000)).isEmpty)
        let joined = joiner.add(event("vport", .egress, at: 1_250))
        XCTAssertEqual(joined.map(\.latencyNs), [250])
        XCTAssertEqual(joined.first?.hop, "rx")
        XCTAssertEqual(joiner.counters.joined, 1)
        XCTAssertEqual(joiner.pendingCount, 0)
    }

    func testIgnoresOtherPointsAndKeepsPacketsApart() {
        var joiner = Joiner(hops: hops)
        _ = joiner.add(event("nic", .ingress, at: 1_000, seq: 1))
        _ = joiner.add(event("nic", .egress, at: 1_100, seq: 1))
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 1_200, seq: 2)).isEmpty, "another sequence number is another packet")
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 1_200, seq: 1, trace: "b")).isEmpty, "another context is another packet")
        XCTAssertEqual(joiner.add(event("vport", .egress, at: 1_300, seq: 1)).map(\.latencyNs), [300])
    }

    func testRetransmissionsAreCountedNeverPaired() {
        var joiner = Joiner(hops: hops)
        _ = joiner.add(event("nic", .ingress, at: 1_000))
        _ = joiner.add(event("nic", .ingress, at: 5_000))  // the same segment again
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 5_100)).isEmpty)
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 5_200)).isEmpty, "a late copy is a duplicate, not a new pair")
        XCTAssertEqual(joiner.counters.joined, 0)
        XCTAssertEqual(joiner.counters.duplicates, 3)
    }

    func testSecondPointFirstStillPairs() {
        var joiner = Joiner(hops: hops)
        _ = joiner.add(event("vport", .egress, at: 2_000))
        XCTAssertEqual(joiner.add(event("nic", .ingress, at: 1_500)).map(\.latencyNs), [500])
    }

    func testCapEvictsOldestAndMemoryStaysFlat() {
        var joiner = Joiner(hops: hops, capacity: 100, timeoutNs: .max)
        for seq in 0..<10_000 {
            _ = joiner.add(event("nic", .ingress, at: UInt64(seq), seq: UInt64(seq)))
            XCTAssertLessThanOrEqual(joiner.pendingCount, 100)
        }
        XCTAssertEqual(joiner.counters.evicted, 9_900)
        XCTAssertEqual(joiner.add(event("vport", .egress, at: 20_000, seq: 9_999)).count, 1, "the newest survive")
        XCTAssertEqual(joiner.add(event("vport", .egress, at: 20_000, seq: 0)).count, 0, "the oldest were evicted")
    }

    func testJoinedKeysAreForgottenPastTheCap() {
        var joiner = Joiner(hops: hops, capacity: 10, timeoutNs: .max)
        for seq in 0..<20 {
            _ = joiner.add(event("nic", .ingress, at: UInt64(seq), seq: UInt64(seq)))
            XCTAssertEqual(joiner.add(event("vport", .egress, at: UInt64(seq) + 100, seq: UInt64(seq))).count, 1)
        }
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 500, seq: 19)).isEmpty)
        XCTAssertEqual(joiner.counters.duplicates, 1, "a late copy of a recent packet is a duplicate")
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 500, seq: 0)).isEmpty)
        XCTAssertEqual(joiner.counters.duplicates, 1, "the oldest joined keys are forgotten past the cap")
        XCTAssertEqual(joiner.pendingCount, 1, "so its late copy waits as a new packet")
    }

    func testContextsCompareAsBytesNotText() {
        func withContext(_ point: String, _ hook: Hook, _ bytes: [UInt8]) -> PacketEvent {
            var event = event(point, hook, at: 1_000)
            event.observedHeaders = [ObservedHeader(name: "traceparent", bytes: bytes, length: bytes.count, cut: false, occurrences: 1)]
            return event
        }
        var joiner = Joiner(hops: hops)
        // Both decode to the same text (U+FFFD) but are other bytes on the wire: other packets.
        _ = joiner.add(withContext("nic", .ingress, [0x30, 0xff]))
        XCTAssertTrue(joiner.add(withContext("vport", .egress, [0x30, 0xfe])).isEmpty)
        XCTAssertEqual(joiner.add(withContext("vport", .egress, [0x30, 0xff])).count, 1)
    }

    func testTimeoutAndFinishCountUnmatched() {
        var joiner = Joiner(hops: hops, capacity: 100, timeoutNs: 1_000)
        _ = joiner.add(event("nic", .ingress, at: 0, seq: 1))
        _ = joiner.add(event("nic", .ingress, at: 5_000, seq: 2))
        XCTAssertEqual(joiner.counters.timedOut, 1)
        joiner.finish()
        XCTAssertEqual(joiner.counters.unmatched, 1)
        XCTAssertEqual(joiner.pendingCount, 0)
    }
}
