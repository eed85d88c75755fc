import Spec
import TraceContexts
import XCTest

final class PrecedenceTests: XCTestCase {
    let all: [TraceContextFormat] = [.w3c(tracestate: true), .b3Multi, .b3Single, .jaeger]

    func testFirstPresentFormatDecidesEvenWhenInvalid() {
        let result = verdict(all, observed("traceparent", "junk"), observed("b3", "\(traceId)-\(spanId)"))
        XCTAssertEqual(result.format, .w3c(tracestate: true))
        XCTAssertNotNil(result.invalidReason)
    }

    func testAbsentRecordsAreIgnored() {
        let result = verdict(all, observed("traceparent", "", occurrences: 0), observed("b3", "1"))
        XCTAssertEqual(result.outcome, .validWithoutIds(Sampling(sampled: true)))
        XCTAssertEqual(verdict(all).outcome, .absent)
    }

    func testInconsistentRecordInvalidatesTheEvent() {
        let result = verdict(all, observed("b3", "1"), observed("uber-trace-id", "4d:1:0:1", length: 2))
        XCTAssertEqual(result.invalidReason?.description, "uber-trace-id: record has 8 copied bytes but a length of 2")
    }

    func testTwoRecordsForOneHeaderInvalidateTheEvent() {
        let result = verdict(all, observed("b3", "1"), observed("b3", "0"))
        XCTAssertEqual(result.invalidReason?.description, "b3: two records for one header")
    }

    func testCustomValueIsWhole() {
        let custom: [TraceContextFormat] = [.custom(name: "X-Request-Id", maxValueBytes: 8)]
        XCTAssertEqual(verdict(custom, observed("x-request-id", "abcdefgh")).outcome, .opaque("abcdefgh"))
        XCTAssertEqual(verdict(custom, observed("x-request-id", "abcdefgh", length: 9)).invalidReason?.problem,
                       "value is 9 bytes but only 8 were copied; a custom id is only valid whole")
        XCTAssertEqual(verdict(custom, observed("x-request-id", "")).invalidReason?.problem, "value is empty")
    }
}
