import Export
import XCTest

final class TraceIdentifierTests: XCTestCase {
    func testShortIdsAreLeftPaddedToFullLength() throws {
        XCTAssertEqual(try TraceIdentifier.padded("463ac35c9f6413ad", digits: 32, what: "trace id"), "0000000000000000463ac35c9f6413ad")
        XCTAssertEqual(try TraceIdentifier.padded("4bf92f3577b34da6a3ce929d0e0e4736", digits: 32, what: "trace id"), "4bf92f3577b34da6a3ce929d0e0e4736")
        XCTAssertEqual(try TraceIdentifier.padded("ABC", digits: 16, what: "span id"), "0000000000000abc")
    }

    func testInvalidIdsAreRefusedWithTheReason() {
        for bad in ["", "xyz", "0000000000000000", String(repeating: "a", count: 33)] {
            XCTAssertThrowsError(try TraceIdentifier.padded(bad, digits: 32, what: "trace id"), bad) { error in
                XCTAssertTrue("\(error)".contains("trace id"), "\(error)")
            }
        }
    }

    func testContextKeepsTheSpanThatSentTheRequestAsParent() throws {
        let context = try HopTraceContext(format: "b3", traceId: "463ac35c9f6413ad", spanId: "a2fb4a1d1a96d312", sampled: true)
        XCTAssertEqual(context.traceId, "0000000000000000463ac35c9f6413ad")
        XCTAssertEqual(context.parentSpanId, "a2fb4a1d1a96d312")
    }

    func testSamplingDecisionFromEachFormatsFlags() {
        XCTAssertEqual(HopTraceContext.sampled(format: "w3c", flags: "01"), true)
        XCTAssertEqual(HopTraceContext.sampled(format: "w3c", flags: "00"), false)
        XCTAssertEqual(HopTraceContext.sampled(format: "w3c", flags: "03"), true)
        XCTAssertEqual(HopTraceContext.sampled(format: "b3", flags: "1"), true)
        XCTAssertEqual(HopTraceContext.sampled(format: "b3-single", flags: "d"), true)
        XCTAssertEqual(HopTraceContext.sampled(format: "b3", flags: "0"), false)
        XCTAssertNil(HopTraceContext.sampled(format: "b3", flags: nil))
        XCTAssertEqual(HopTraceContext.sampled(format: "jaeger", flags: "0"), false)
        XCTAssertEqual(HopTraceContext.sampled(format: "jaeger", flags: "1"), true)
    }
}
