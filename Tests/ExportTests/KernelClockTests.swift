import Export
import XCTest

final class KernelClockTests: XCTestCase {
    func testConvertedMonotonicTimeIsTheRealTimeClockWithinTheError() {
        let clock = KernelClock()
        let offset = clock.offset()
        XCTAssertLessThan(offset.errorNs, 1_000_000, "a bracket of monotonic reads is far below a millisecond wide")
        for _ in 0..<100 {
            let before = KernelClock.realtimeNs()
            let converted = clock.wallClockNs(monotonicNs: KernelClock.monotonicNs())
            let after = KernelClock.realtimeNs()
            // The monotonic read happened between the two real-time reads.
            XCTAssertGreaterThanOrEqual(converted + offset.errorNs, before)
            XCTAssertLessThanOrEqual(converted, after + offset.errorNs)
        }
    }

    func testTheOffsetIsMeasuredAgainWhenStale() throws {
        let clock = KernelClock(refreshInterval: .milliseconds(20))
        let first = clock.offset()
        XCTAssertEqual(clock.offset().measuredAtMonotonicNs, first.measuredAtMonotonicNs, "fresh: not measured again")
        Thread.sleep(forTimeInterval: 0.03)
        XCTAssertGreaterThan(clock.offset().measuredAtMonotonicNs, first.measuredAtMonotonicNs)
    }
}
