import Runner
import Spec
import XCTest

/// The join on its own: pairs, duplicates, order, the cap and the timeout, with events made up
/// here (the key of real records, `RecordReaderTests`).
final class JoinerTests: XCTestCase {
    let hops = [Hop(name: "rx", from: .ingress(of: "nic"), to: .egress(of: "vport"))]

    struct Event {
        var end: PointHook
        var time: UInt64
        var seq: UInt64
        var trace: String
    }

    /// Keys on the sequence number and the context; `collide` hashes every key alike, so that
    /// only `sameKey` tells them apart.
    struct Events: JoinEvents {
        var collide = false

        func seen(_ event: Event) -> (end: PointHook, timestamp: UInt64)? { (event.end, event.time) }

        func keyHash(of event: Event, hop: Int) -> Int {
            var hasher = Hasher()
            hasher.combine(hop)
            if !collide {
                hasher.combine(event.seq)
                hasher.combine(event.trace)
            }
            return hasher.finalize()
        }

        func sameKey(_ a: Event, _ b: Event) -> Bool { a.seq == b.seq && a.trace == b.trace }
    }

    func event(_ point: String, _ hook: Hook, at time: UInt64, seq: UInt64 = 1, trace: String = "a") -> Event {
        Event(end: PointHook(point: point, hook: hook), time: time, seq: seq, trace: trace)
    }

    func joiner(capacity: Int = 65536, timeoutNs: UInt64 = 2_000_000_000, collide: Bool = false) -> Joiner<Events> {
        Joiner(hops: hops, events: Events(collide: collide), capacity: capacity, timeoutNs: timeoutNs)
    }

    func testPairsTheSamePacketAcrossTheHop() {
        var joiner = joiner()
        XCTAssertTrue(joiner.add(event("nic", .ingress, at: 1_000)).isEmpty)
        let joined = joiner.add(event("vport", .egress, at: 1_250))
        XCTAssertEqual(joined.map(\.latencyNs), [250])
        XCTAssertEqual(joined.first?.hop, "rx")
        XCTAssertEqual(joiner.counters.joined, 1)
        XCTAssertEqual(joiner.pendingCount, 0)
    }

    func testIgnoresOtherPointsAndKeepsPacketsApart() {
        var joiner = joiner()
        _ = joiner.add(event("nic", .ingress, at: 1_000, seq: 1))
        _ = joiner.add(event("nic", .egress, at: 1_100, seq: 1))
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 1_200, seq: 2)).isEmpty, "another sequence number is another packet")
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 1_200, seq: 1, trace: "b")).isEmpty, "another context is another packet")
        XCTAssertEqual(joiner.add(event("vport", .egress, at: 1_300, seq: 1)).map(\.latencyNs), [300])
    }

    func testRetransmissionsAreCountedNeverPaired() {
        var joiner = joiner()
        _ = joiner.add(event("nic", .ingress, at: 1_000))
        _ = joiner.add(event("nic", .ingress, at: 5_000))  // the same segment again
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 5_100)).isEmpty)
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 5_200)).isEmpty, "a late copy is a duplicate, not a new pair")
        XCTAssertEqual(joiner.counters.joined, 0)
        XCTAssertEqual(joiner.counters.duplicates, 3)
    }

    func testSecondPointFirstStillPairs() {
        var joiner = joiner()
        _ = joiner.add(event("vport", .egress, at: 2_000))
        XCTAssertEqual(joiner.add(event("nic", .ingress, at: 1_500)).map(\.latencyNs), [500])
    }

    func testCapEvictsOldestAndMemoryStaysFlat() {
        var joiner = joiner(capacity: 100, timeoutNs: .max)
        for seq in 0..<10_000 {
            _ = joiner.add(event("nic", .ingress, at: UInt64(seq), seq: UInt64(seq)))
            XCTAssertLessThanOrEqual(joiner.pendingCount, 100)
        }
        XCTAssertEqual(joiner.counters.evicted, 9_900)
        XCTAssertEqual(joiner.add(event("vport", .egress, at: 20_000, seq: 9_999)).count, 1, "the newest survive")
        XCTAssertEqual(joiner.add(event("vport", .egress, at: 20_000, seq: 0)).count, 0, "the oldest were evicted")
    }

    func testJoinedKeysAreForgottenPastTheCap() {
        var joiner = joiner(capacity: 10, timeoutNs: .max)
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

    func testKeysOfOneHashAreToldApartAndTheOlderCountedEvicted() {
        var joiner = joiner(collide: true)
        _ = joiner.add(event("nic", .ingress, at: 1_000, seq: 1))
        XCTAssertTrue(joiner.add(event("vport", .egress, at: 1_100, seq: 2)).isEmpty, "another key under the same hash is no pair")
        XCTAssertEqual(joiner.counters.evicted, 1, "the older of two keys with one hash gives way, counted")
        XCTAssertEqual(joiner.pendingCount, 1)
        XCTAssertEqual(joiner.add(event("nic", .ingress, at: 1_200, seq: 2)).map(\.latencyNs), [-100], "the newer waits and pairs")
    }

    func testAStaleOrderEntryDoesNotTimeOutALaterWaitOfItsKey() {
        var joiner = joiner(capacity: 1, timeoutNs: 1_000)
        _ = joiner.add(event("nic", .ingress, at: 0, seq: 1))
        XCTAssertEqual(joiner.add(event("vport", .egress, at: 10, seq: 1)).count, 1)
        _ = joiner.add(event("nic", .ingress, at: 20, seq: 2))
        XCTAssertEqual(joiner.add(event("vport", .egress, at: 30, seq: 2)).count, 1, "and seq 1 is forgotten past the cap")
        _ = joiner.add(event("nic", .ingress, at: 500, seq: 1)) // waits again
        // At 1 200 the first wait's entry (at 0) is past the timeout; the second's (at 500) is not.
        XCTAssertEqual(joiner.add(event("vport", .egress, at: 1_200, seq: 1)).map(\.latencyNs), [700])
        XCTAssertEqual(joiner.counters.timedOut, 0)
    }

    func testTimeoutAndFinishCountUnmatched() {
        var joiner = joiner(capacity: 100, timeoutNs: 1_000)
        _ = joiner.add(event("nic", .ingress, at: 0, seq: 1))
        _ = joiner.add(event("nic", .ingress, at: 5_000, seq: 2))
        XCTAssertEqual(joiner.counters.timedOut, 1)
        joiner.finish()
        XCTAssertEqual(joiner.counters.unmatched, 1)
        XCTAssertEqual(joiner.pendingCount, 0)
    }
}
