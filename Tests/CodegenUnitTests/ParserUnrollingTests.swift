@testable import Codegen
import Spec
import XCTest

/// The parser graph unrolled into a DAG, without clang: copies per visit, edges forward only.
final class ParserUnrollingTests: XCTestCase {
    /// ethernet → vlan* (at most `stack` tags) → ipv4 → accept, with a select on the EtherType.
    func vlanStack(_ stack: Int) -> ParserGraph {
        let etherType = { (header: String) in
            SelectExpression(keys: [FieldRef(header: header, field: "etherType")], cases: [
                SelectCase(matchers: [.exact(0x8100)], next: "vlan"),
                SelectCase(matchers: [.exact(0x0800)], next: "ipv4"),
            ])
        }
        return ParserGraph(start: "start", states: [
            ParserState(name: "start", extracts: ["ethernet"], transition: .select(etherType("ethernet"))),
            ParserState(name: "vlan", extracts: ["vlan"], maxVisits: stack, transition: .select(etherType("vlan"))),
            ParserState(name: "ipv4", extracts: ["ipv4"], transition: .direct(next: ParserGraph.accept, line: nil)),
        ])
    }

    func testABoundedCycleIsCopiedOncePerVisit() throws {
        let unrolled = try ParserUnrolling(vlanStack(2))
        XCTAssertEqual(unrolled.nodes.map(\.label), ["st_start", "st_vlan_vlan1", "st_vlan_vlan2", "st_ipv4"])
        // The second tag's own 0x8100 edge goes to reject: a third tag is not traced.
        let second = try XCTUnwrap(unrolled.nodes.first { $0.label == "st_vlan_vlan2" })
        XCTAssertEqual(unrolled.edges[second]?["vlan"], ParserGraph.reject)
        XCTAssertEqual(unrolled.edges[second]?["ipv4"], "st_ipv4")
    }

    func testEveryEdgeGoesForward() throws {
        for stack in 1...4 {
            let unrolled = try ParserUnrolling(vlanStack(stack))
            let position = Dictionary(uniqueKeysWithValues: unrolled.nodes.enumerated().map { ($1.label, $0) })
            for (node, targets) in unrolled.edges {
                for target in targets.values where !ParserGraph.isTerminal(target) {
                    XCTAssertLessThan(try XCTUnwrap(position[node.label]), try XCTUnwrap(position[target]), "\(node.label) → \(target)")
                }
            }
            XCTAssertEqual(unrolled.nodes.count, stack + 2)
        }
    }

    func testAnUnrollingPastTheNodeLimitIsAnError() {
        XCTAssertThrowsError(try ParserUnrolling(vlanStack(ParserUnrolling.maxNodes + 1))) { error in
            XCTAssertEqual(error as? CodegenError, .parserTooLarge)
        }
    }
}
