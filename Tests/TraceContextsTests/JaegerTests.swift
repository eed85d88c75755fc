import Spec
import TraceContexts
import XCTest

final class JaegerTests: XCTestCase {
    let jaeger: [TraceContextFormat] = [.jaeger]

    func testShortIdsArePaddedAndZeroParentIsNone() throws {
        let context = try XCTUnwrap(verdict(jaeger, observed("uber-trace-id", "4d:17c29:000:1")).context)
        XCTAssertEqual(context.traceId.hex, String(repeating: "0", count: 30) + "4d")
        XCTAssertEqual(context.spanId.hex, "0000000000017c29")
        XCTAssertEqual(context.spanId.original, "17c29")
        XCTAssertNil(context.parentSpanId)
    }

    func testFlags() {
        func sampling(_ flags: String) -> Sampling? { verdict(jaeger, observed("uber-trace-id", "4d:17c29:0:\(flags)")).context?.sampling }
        XCTAssertEqual(sampling("0"), Sampling(sampled: false))
        XCTAssertEqual(sampling("1"), Sampling(sampled: true))
        XCTAssertEqual(sampling("3"), Sampling(sampled: true, debug: true))
        XCTAssertEqual(sampling("2"), Sampling(sampled: false), "debug counts only with sampled")
        XCTAssertNil(sampling("100"))
        XCTAssertNil(sampling("0A"))
    }

    func testURLEncodedColons() {
        let result = verdict(jaeger, observed("uber-trace-id", "4d%3a17c29%3A0%3A1"))
        XCTAssertEqual(result.context?.spanId.original, "17c29")
        XCTAssertEqual(result.notes, ["uber-trace-id was URL-encoded (%3A)"])
        XCTAssertEqual(verdict(jaeger, observed("uber-trace-id", "4d%3A17c29%2F0%3A1")).invalidReason?.problem,
                       "'%' escape other than %3A in '4d%3A17c29%2F0%3A1'")
        XCTAssertEqual(verdict(jaeger, observed("uber-trace-id", "4d%3A17c29%3A0%3A1", length: 76)).invalidReason?.problem,
                       "value is 76 bytes, longer than the 75 of its longest valid form")
    }

    func testTooLongPlainValue() {
        XCTAssertEqual(verdict(jaeger, observed("uber-trace-id", "4d:17c29:0:1", length: 70)).invalidReason?.problem,
                       "value is 70 bytes, longer than the 69 of its longest valid form")
    }

    func testSingleValued() {
        XCTAssertEqual(verdict(jaeger, observed("uber-trace-id", "4d:17c29:0:1", occurrences: 3)).invalidReason?.problem,
                       "more than one uber-trace-id header in the request; exactly one is allowed")
    }
}
