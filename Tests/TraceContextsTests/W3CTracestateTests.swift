import Spec
import TraceContexts
import XCTest

final class W3CTracestateTests: XCTestCase {
    let formats: [TraceContextFormat] = [.w3c(tracestate: true)]

    /// The members kept, or nil with the note that says why the list was dropped.
    func members(_ value: String, length: Int? = nil, occurrences: Int = 1) -> (members: [String]?, notes: [String]) {
        let result = verdict(formats, observed("traceparent", traceparent), observed("tracestate", value, length: length, occurrences: occurrences))
        return (result.context?.tracestate.map { $0.map { "\($0.key)=\($0.value)" } }, result.notes)
    }

    func testSimpleKeyGrammar() {
        XCTAssertEqual(members(String(repeating: "a", count: 256) + "=1").members?.count, 1)
        XCTAssertNil(members(String(repeating: "a", count: 257) + "=1").members)
        XCTAssertNil(members("1a=1").members, "a simple key starts with a letter")
        XCTAssertEqual(members("a_-*/9=1").members, ["a_-*/9=1"])
    }

    func testMultiTenantKeyGrammar() {
        XCTAssertEqual(members("1tenant@system=1").members, ["1tenant@system=1"], "a tenant id may start with a digit")
        XCTAssertNotNil(members(String(repeating: "t", count: 241) + "@" + String(repeating: "s", count: 14) + "=1").members)
        XCTAssertNil(members(String(repeating: "t", count: 242) + "@s=1").members)
        XCTAssertNil(members("t@" + String(repeating: "s", count: 15) + "=1").members)
        XCTAssertNil(members("t@1system=1").members, "a system id starts with a letter")
        XCTAssertNil(members("t@s@x=1").members)
        XCTAssertNil(members("t@=1").members)
    }

    func testValueGrammar() {
        XCTAssertEqual(members("k=" + String(repeating: "v", count: 256)).members?.count, 1)
        XCTAssertNil(members("k=" + String(repeating: "v", count: 257)).members)
        XCTAssertEqual(members("k= v").members, ["k= v"], "leading spaces belong to the value")
        XCTAssertEqual(members("k=v \t,l=w").members, ["k=v", "l=w"], "trailing whitespace is OWS")
        XCTAssertNil(members("k=v\u{7F}").members)
        XCTAssertNil(members("k=").members)
    }

    func testListRules() {
        XCTAssertEqual(members("").members, [], "an empty tracestate is accepted")
        XCTAssertEqual(members(" , ,k=v,").members, ["k=v"])
        let thirtyTwo = (1...32).map { "k\($0)=v" }.joined(separator: ",")
        XCTAssertEqual(members(thirtyTwo).members?.count, 32)
        XCTAssertEqual(members(thirtyTwo + ",k33=v").notes, ["tracestate dropped: 33 list members, more than 32"])
        XCTAssertEqual(members("k=1,k=2").members, ["k=1"])
        XCTAssertEqual(members("k=1,k=2").notes, ["tracestate key 'k' repeated: the leftmost member is kept"])
    }

    func testDroppedNeverInvalidatesTraceparent() {
        let dropped = members("k=v", length: 300)
        XCTAssertNil(dropped.members)
        XCTAssertEqual(dropped.notes, ["tracestate dropped: value is 300 bytes but only 3 were copied"])
        XCTAssertEqual(members("k=v", occurrences: 2).notes, ["tracestate dropped: more than one tracestate header and only the first is copied"])
        XCTAssertNil(members("K=v").members)
    }

    func testTracestateUnreadWhenTheSpecDoesNotAsk() {
        let result = verdict([.w3c(tracestate: false)], observed("traceparent", traceparent), observed("tracestate", "k=v"))
        XCTAssertNil(result.context?.tracestate)
        XCTAssertEqual(result.notes, [])
    }
}
