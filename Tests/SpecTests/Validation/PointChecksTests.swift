import XCTest

/// The tracing point, hop and target checks (Sources/Spec/Validation/PointChecks.swift), through the real loader.
final class PointChecksTests: XCTestCase {
    func testHopNamingAnUnknownPoint() throws {
        let source = SpecSource.spec(body: """
            Hop("rx", from: .ingress(of: "nic"), to: .egress(of: "vport")) // ERROR
        """)
        try assertRejected(source, "hop 'rx'", "unknown tracing point 'vport'", "known: nic")
    }

    func testHopOnAMissingHook() throws {
        let source = SpecSource.spec(body: """
            TracingPoint("vport", hooks: .ingress)
            Hop("rx", from: .ingress(of: "nic"), to: .egress(of: "vport")) // ERROR
        """)
        try assertRejected(source, "hop 'rx'", "vport egress", "no egress hook")
    }

    func testDuplicateHopName() throws {
        let source = SpecSource.spec(body: """
            TracingPoint("vport", hooks: .ingress, .egress)
            Hop("rx", from: .ingress(of: "nic"), to: .egress(of: "vport"))
            Hop("rx", from: .ingress(of: "vport"), to: .egress(of: "nic")) // ERROR
        """)
        try assertRejected(source, "duplicate hop name 'rx'")
    }

    func testDuplicateTracingPointName() throws {
        let source = """
        import Spec
        let spec = MeshSpec("test") {
            Parser(start: "ethernet") {
        \(SpecSource.plainStates)
            }
            TracingPoint("nic", hooks: .ingress)
            TracingPoint("nic", hooks: .egress) // ERROR
        }
        """
        try assertRejected(source, "duplicate tracing point name 'nic'")
    }

    func testInstructionBudgetOutOfRange() throws {
        let source = SpecSource.spec(body: """
            Target(instructionBudget: 10, profile: .loops) // ERROR
        """)
        try assertRejected(source, "instruction budget 10 is out of range")
    }
}
