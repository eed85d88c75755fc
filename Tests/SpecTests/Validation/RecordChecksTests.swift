import XCTest

/// The record checks (Sources/Spec/Validation/RecordChecks.swift), each through the real loader.
final class RecordChecksTests: XCTestCase {
    func testRecordFieldNotExtractedOnEveryPathToTheSearch() throws {
        // Plain TCP reaches the search without VXLAN.
        let source = SpecSource.spec(states: SpecSource.vxlanStates, body: """
            Record(
                .timestamp,
                .innerFiveTuple,
                .field(vxlan.vni), // ERROR
                .traceContext
            )
        """)
        try assertRejected(source, "record field 'vxlan.vni'", "needs header 'vxlan'",
                           "not extracted on every path to the search", ".optionalField")
    }

    func testOptionalRecordFieldIsAccepted() throws {
        let source = SpecSource.spec(states: SpecSource.vxlanStates, body: """
            Record(
                .timestamp,
                .innerFiveTuple,
                .outerFiveTuple,
                .optionalField(vxlan.vni),
                .field(tcp.seqNo),
                .traceContext
            )
        """)
        let ir = try assertAccepted(source)
        XCTAssertEqual(ir?.record.fields.map(\.label),
                       ["timestamp", "inner", "outer", "vxlan_vni", "tcp_seqNo", "context"])
    }

    func testRecordFieldOnUnknownField() throws {
        let source = SpecSource.spec(body: """
            Record(.timestamp, .traceContext, .field(tcp.sequence)) // ERROR
        """)
        try assertRejected(source, "record field", "unknown field 'tcp.sequence'", "seqNo")
    }

    func testRecordWithoutTraceContext() throws {
        let source = SpecSource.spec(body: """
            Record(.timestamp, .innerFiveTuple) // ERROR
        """)
        try assertRejected(source, "no .traceContext")
    }

    func testRecordOfAJoinedSpecWithoutWhereAndWhen() throws {
        let source = SpecSource.spec(body: """
            TracingPoint("vport", hooks: .egress)
            Hop("rx", from: .ingress(of: "nic"), to: .egress(of: "vport"))
            Record(.timestamp, .innerFiveTuple, .traceContext) // ERROR
        """)
        try assertRejected(source, "no .tracingPoint, .direction", "hops could not be joined")
    }
}
