import Spec
import TraceContexts
import XCTest

final class W3CTraceparentTests: XCTestCase {
    let w3c: [TraceContextFormat] = [.w3c(tracestate: false)]

    func testVersion00IsExactly55Bytes() throws {
        let context = try XCTUnwrap(verdict(w3c, observed("traceparent", traceparent)).context)
        XCTAssertEqual(context.traceId.hex, traceId)
        XCTAssertEqual(context.spanId.hex, spanId)
        XCTAssertEqual(context.rawFlags, "01")
        XCTAssertEqual(context.sampling, Sampling(sampled: true))
        XCTAssertEqual(context.format, .w3c(tracestate: false), "the spec's own format, not a guess")
        XCTAssertEqual(verdict(w3c, observed("traceparent", traceparent, length: 61)).invalidReason?.problem,
                       "version 00 value is 61 bytes; it must be exactly 55")
    }

    /// What the kernel would see with a 56-byte copy: the byte after trace-flags decides.
    func testLaterVersionNeedsDashAfterFlags() {
        let later = "cc" + traceparent.dropFirst(2)
        XCTAssertNotNil(verdict(w3c, observed("traceparent", later + "-", length: 80)).context)
        XCTAssertEqual(verdict(w3c, observed("traceparent", later + ".", length: 80)).invalidReason?.problem,
                       "trace-flags '01.' is not 2 lowercase hex digits")
        XCTAssertNotNil(verdict(w3c, observed("traceparent", later)).context, "a later version may end after trace-flags")
        XCTAssertTrue(verdict(w3c, observed("traceparent", later, length: 80)).invalidReason?.problem.contains("cannot be checked") == true)
    }

    func testCopyShorterThanTheFieldsIsNeverRead() {
        let reason = verdict(w3c, observed("traceparent", String(traceparent.prefix(40)), length: 55)).invalidReason
        XCTAssertEqual(reason?.problem, "value is 55 bytes but only 40 were copied, fewer than the 55 every version starts with")
    }

    func testFieldRules() {
        func problem(_ value: String) -> String? { verdict(w3c, observed("traceparent", value)).invalidReason?.problem }
        XCTAssertEqual(problem("ff" + traceparent.dropFirst(2)), "version ff is forbidden")
        XCTAssertEqual(problem("0g" + traceparent.dropFirst(2)), "version '0g' is not two lowercase hex digits")
        XCTAssertEqual(problem("00-\(String(repeating: "0", count: 32))-\(spanId)-01"), "trace-id is all zeros")
        XCTAssertEqual(problem("00-\(traceId)-0000000000000000-01"), "parent-id is all zeros")
        XCTAssertEqual(problem("00-\(traceId)-\(spanId)-0F"), "trace-flags '0F' is not 2 lowercase hex digits")
        XCTAssertEqual(problem("00-\(traceId)"), "parent-id is missing")
        XCTAssertNil(problem("00-\(traceId)-\(spanId)-ff"), "unknown flags are kept, not refused")
    }

    func testTwoTraceparentsAreInvalid() {
        XCTAssertEqual(verdict(w3c, observed("traceparent", traceparent, occurrences: 2)).invalidReason?.problem,
                       "more than one traceparent header in the request; exactly one is allowed")
    }

    func testByteThatIsNotUTF8FailsAsItself() {
        var bytes = Array(traceparent.utf8)
        bytes[3] = 0xFF
        let record = ObservedHeader(name: "traceparent", bytes: bytes, length: 55, cut: false, occurrences: 1)
        let reason = ContextParser(formats: w3c).verdict(for: [record]).invalidReason
        XCTAssertTrue(reason?.problem.hasPrefix("trace-id '") == true, "\(String(describing: reason))")
    }

    func testInconsistentRecordIsInvalid() {
        let reason = verdict(w3c, observed("traceparent", traceparent, length: 20)).invalidReason
        XCTAssertEqual(reason?.problem, "record has 55 copied bytes but a length of 20")
    }

    func testLengthBeyondCopyCountsAsCutWhateverTheFlag() {
        let later = "cc" + traceparent.dropFirst(2)
        let reason = verdict(w3c, observed("traceparent", later, length: 70, cut: false)).invalidReason
        XCTAssertTrue(reason?.problem.contains("only 55 were copied") == true)
    }

    /// A line whose end the kernel did not see: its length is a lower bound, said as such, and a
    /// value that might go on is never taken as whole.
    func testUnseenLineEndIsNeverWhole() {
        let packet = verdict(w3c, observed("traceparent", traceparent, lineEnd: .pastPacket)).invalidReason?.problem
        XCTAssertEqual(packet, "version 00: value is at least 55 bytes and its line goes on past the packet's end, so what follows trace-flags (the end, or '-' in a later version) cannot be checked")
        let reach = verdict(w3c, observed("traceparent", traceparent, length: 600, lineEnd: .pastReach)).invalidReason?.problem
        XCTAssertEqual(reach, "version 00 value is at least 600 bytes; it must be exactly 55")
        let short = verdict(w3c, observed("traceparent", "00-abc", lineEnd: .pastPacket)).invalidReason?.problem
        XCTAssertEqual(short, "value is at least 6 bytes and its line goes on past the packet's end, fewer than the 55 every version starts with")
    }
}
