@testable import Export
import XCTest

final class LineProtocolTests: XCTestCase {
    func testEachElementIsEscapedByItsOwnRules() throws {
        let line = try LineProtocol.line(
            measurement: "hop, latency", tags: [("point_to", "v port"), ("node", "a,b=c")],
            fields: [("latency_ns", .integer(-5)), ("trace_id", .string(#"say "hi" \ bye"#))], timestampNs: 1_700_000_000_000_000_001)
        XCTAssertEqual(line, #"hop\,\ latency,node=a\,b\=c,point_to=v\ port latency_ns=-5i,trace_id="say \"hi\" \\ bye" 1700000000000000001"#)
    }

    func testEmptyTagsAreLeftOutAndNewlinesRefused() throws {
        XCTAssertEqual(try LineProtocol.line(measurement: "m", tags: [("a", "")], fields: [("f", .integer(1))], timestampNs: 2), "m f=1i 2")
        XCTAssertThrowsError(try LineProtocol.line(measurement: "m", tags: [("a", "x\ny")], fields: [("f", .integer(1))], timestampNs: 2))
    }
}
