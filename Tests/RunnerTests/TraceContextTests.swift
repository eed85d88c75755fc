import Runner
import Spec
import TraceContexts
import XCTest

/// User-space validation of the context bytes the kernel copies.
final class TraceContextTests: XCTestCase {
    let all: [TraceContextFormat] = [.w3c(tracestate: true), .b3Multi, .b3Single, .jaeger]

    func verdict(_ values: [String: String]) -> String? {
        TraceContext(values: values, formats: all)?.invalidReason
    }

    func testW3CVersion00Rules() {
        let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        XCTAssertNil(verdict(["traceparent": good]))
        XCTAssertEqual(verdict(["traceparent": "0A" + good.dropFirst(2)]), "version is not two lowercase hex digits")
        XCTAssertEqual(verdict(["traceparent": "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"]), "trace-id is not 32 lowercase hex digits")
        XCTAssertEqual(verdict(["traceparent": "00-00000000000000000000000000000000-00f067aa0ba902b7-01"]), "trace-id is all zeros")
        XCTAssertEqual(verdict(["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"]), "parent-id is all zeros")
        XCTAssertEqual(verdict(["traceparent": "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]), "version ff is forbidden")
        XCTAssertEqual(verdict(["traceparent": good + "-extra"]), "version 00 traceparent must be exactly 55 characters")
        XCTAssertNil(verdict(["traceparent": "01" + good.dropFirst(2) + "-future"]), "later versions may append fields")
        XCTAssertEqual(verdict(["traceparent": "00-4bf9"]), "traceparent needs four '-'-separated fields")
    }

    func testB3() {
        XCTAssertNil(verdict(["x-b3-traceid": "463ac35c9f6413ad", "x-b3-spanid": "a2fb4a1d1a96d312", "x-b3-sampled": "1"]))
        XCTAssertNil(verdict(["x-b3-traceid": "463ac35c9f6413ad48485a3953bb6124", "x-b3-spanid": "a2fb4a1d1a96d312"]))
        XCTAssertEqual(verdict(["x-b3-traceid": "463ac35c9f6413a", "x-b3-spanid": "a2fb4a1d1a96d312"]), "trace id is not 16 or 32 lowercase hex digits")
        XCTAssertEqual(verdict(["x-b3-traceid": "463ac35c9f6413ad", "x-b3-spanid": "a2fb4a1d1a96d312", "x-b3-sampled": "2"]),
                       "sampling state '2' is not one of 0, 1")
        XCTAssertNil(verdict(["b3": "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d-05e3ac9a4f6e3b90"]))
        XCTAssertEqual(verdict(["b3": "1"]), "b3 carries no trace and span id (a lone sampling state)")
        XCTAssertNil(verdict(["uber-trace-id": "4bf92f3577b34da6:a3ce929d0e0e4736:0:1"]))
        XCTAssertEqual(verdict(["uber-trace-id": "0:a3ce929d0e0e4736:0:1"]), "trace id is not 1 to 32 hex digits, not all zeros")
    }

    func testFormatOrderDecides() {
        let context = TraceContext(values: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "x-b3-traceid": "463ac35c9f6413ad"], formats: all)
        XCTAssertEqual(context?.format, "w3c")
        XCTAssertNil(TraceContext(values: [:], formats: all))
    }
}
