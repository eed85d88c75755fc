import XCTest

/// The parser checks (Sources/Spec/Validation/ParserChecks.swift), each through the real loader.
final class ParserChecksTests: XCTestCase {
    func testUnknownState() throws {
        let source = SpecSource.spec(states: """
                State("ethernet") {
                    Extract(ethernet)
                    Select(ethernet.etherType) { Case(0x0800, .accept); Case(0x86dd, "ipv6") }
                }
                State("ipv6") {
                    Extract(ipv6)
                    Transition("tcp") // ERROR
                }
        """)
        try assertRejected(source, "state 'ipv6'", "unknown state 'tcp'")
    }

    func testUnknownSelectTarget() throws {
        let source = SpecSource.spec(states: """
                State("ethernet") {
                    Extract(ethernet)
                    Select(ethernet.etherType) {
                        Case(0x0800, .accept)
                        Case(0x86dd, "ipv6") // ERROR
                    }
                }
        """)
        try assertRejected(source, "state 'ethernet'", "unknown state 'ipv6'")
    }

    func testUnknownStartState() throws {
        let source = """
        import Spec
        let spec = MeshSpec("test") {
            Parser(start: "eth") { // ERROR
                State("ethernet") { Extract(ethernet); Transition(.accept) }
            }
            TracingPoint("nic", hooks: .ingress)
        }
        """
        // The start is unknown, and so the declared state is unreachable from it: two errors.
        let spec = try writeSpec(source)
        XCTAssertThrowsError(try Fixture.load(spec)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("\(spec.path):3: error: the parser starts at unknown state 'eth'"), text)
        }
    }

    func testUnreachableState() throws {
        let source = SpecSource.spec(states: SpecSource.plainStates + """

                State("udp") { // ERROR
                    Extract(udp)
                    Transition(.accept)
                }
        """)
        try assertRejected(source, "state 'udp'", "unreachable", "start state 'ethernet'")
    }

    func testCycleWithoutBound() throws {
        let source = SpecSource.spec(states: """
                State("ethernet") {
                    Extract(ethernet)
                    Select(ethernet.etherType) { Case(0x8100, "vlan"); Case(0x0800, "ipv4") }
                }
                State("vlan") { // ERROR
                    Extract(vlan)
                    Select(vlan.etherType) { Case(0x8100, "vlan"); Case(0x0800, "ipv4") }
                }
                State("ipv4") {
                    Extract(ipv4)
                    Transition(.accept)
                }
        """)
        try assertRejected(source, "parser cycle through vlan", "no bound", "maxVisits")
    }

    func testLongerCycleWithoutBound() throws {
        let source = SpecSource.spec(states: """
                State("ethernet") { // ERROR
                    Extract(ethernet)
                    Select(ethernet.etherType) { Case(0x8100, "vlan"); Case(0x0800, "ipv4") }
                }
                State("vlan") {
                    Extract(vlan)
                    Transition("ethernet")
                }
                State("ipv4") {
                    Extract(ipv4)
                    Transition(.accept)
                }
        """)
        try assertRejected(source, "parser cycle through ethernet, vlan", "no bound")
    }

    func testMaxVisitsBoundsTheCycle() throws {
        let source = SpecSource.spec(states: """
                State("ethernet") {
                    Extract(ethernet)
                    Select(ethernet.etherType) { Case(0x8100, "vlan"); Case(0x0800, "ipv4") }
                }
                State("vlan", maxVisits: 2) {
                    Extract(vlan)
                    Select(vlan.etherType) { Case(0x8100, "vlan"); Case(0x0800, "ipv4") }
                }
                State("ipv4") {
                    Extract(ipv4)
                    Transition(.accept)
                }
        """)
        let ir = try assertAccepted(source)
        XCTAssertEqual(ir?.parser.state(named: "vlan")?.maxVisits, 2)
    }

    func testMaxVisitsOutOfRange() throws {
        let source = SpecSource.spec(states: """
                State("ethernet") {
                    Extract(ethernet)
                    Select(ethernet.etherType) { Case(0x8100, "vlan"); Case(0x0800, "ipv4") }
                }
                State("vlan", maxVisits: 0) { // ERROR
                    Extract(vlan)
                    Select(vlan.etherType) { Case(0x8100, "vlan"); Case(0x0800, "ipv4") }
                }
                State("ipv4") {
                    Extract(ipv4)
                    Transition(.accept)
                }
        """)
        try assertRejected(source, "state 'vlan' has maxVisits 0")
    }

    func testSelectOnFieldNotExtractedOnEveryPath() throws {
        let source = SpecSource.spec(states: """
                State("ethernet") {
                    Extract(ethernet)
                    Select(ethernet.etherType) { Case(0x8100, "vlan"); Case(0x0800, "ipv4") }
                }
                State("vlan") {
                    Extract(vlan)
                    Transition("ipv4")
                }
                State("ipv4") {
                    Extract(ipv4)
                    Select(vlan.pcp) { // ERROR
                        Case(0, "tcp")
                    }
                }
                State("tcp") {
                    Extract(tcp)
                    Transition(.accept)
                }
        """)
        try assertRejected(source, "select on 'vlan.pcp' in state 'ipv4'", "needs header 'vlan'",
                           "not extracted on every path to state 'ipv4'", "ethernet → ipv4")
    }

    func testSelectOnFieldExtractedOnEveryPath() throws {
        // Both paths into "tcp" extract ipv4: once as the outer header, once as the inner one.
        let source = SpecSource.spec(states: """
                State("ethernet") {
                    Extract(ethernet)
                    Select(ethernet.etherType) { Case(0x0800, "ipv4") }
                }
                State("ipv4") {
                    Extract(ipv4)
                    Select(ipv4.protocol) { Case(6, "tcp"); Case(4, "ipip") }
                }
                State("ipip") {
                    EnterTunnel(.ipip)
                    Transition("inner_ipv4")
                }
                State("inner_ipv4") {
                    Extract(ipv4)
                    Select(ipv4.protocol) { Case(6, "tcp") }
                }
                State("tcp") {
                    Extract(tcp)
                    Select(ipv4.ttl) { Case(0, .reject); Default(.accept) }
                }
        """)
        try assertAccepted(source)
    }

    func testSelectOnUnknownField() throws {
        let source = SpecSource.spec(states: """
                State("ethernet") {
                    Extract(ethernet)
                    Select(ethernet.etherType) { Case(0x0800, "ipv4") }
                }
                State("ipv4") {
                    Extract(ipv4)
                    Select(ipv4.proto) { // ERROR
                        Case(6, .accept)
                    }
                }
        """)
        try assertRejected(source, "select in state 'ipv4'", "unknown field 'ipv4.proto'", "protocol")
    }

    func testSelectOnHeaderNoStateExtracts() throws {
        let source = SpecSource.spec(states: """
                State("ethernet") {
                    Extract(ethernet)
                    Select(vlan.etherType) { // ERROR
                        Case(0x0800, .accept)
                    }
                }
        """)
        try assertRejected(source, "select in state 'ethernet'", "unknown header 'vlan'")
    }

    func testDuplicateStateName() throws {
        let source = SpecSource.spec(states: SpecSource.plainStates + """

                State("ipv4") { // ERROR
                    Extract(ipv6)
                    Transition(.accept)
                }
        """)
        try assertRejected(source, "duplicate state name 'ipv4'", "first declared at line")
    }
}
