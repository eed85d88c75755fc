import ObjectModel
import Spec

/// The parser graph unrolled into a DAG: a state inside a cycle is copied once per visit its
/// bound allows, so the emitted parser has no back-edges in any profile (and pre-5.3 kernels
/// accept it). Visit counts are kept only while inside a cycle's states, so leaving a VLAN
/// stack does not duplicate everything after it.
struct ParserUnrolling {
    struct Node: Hashable {
        var state: String
        /// Visits so far of the bounded states of this node's cycle, sorted by name.
        var visits: [String: Int]

        var label: String {
            let suffix = visits.keys.sorted().map { "_\($0)\(visits[$0]!)" }.joined()
            return "st_\(CName.sanitize(state))\(suffix)"
        }
    }

    static let maxNodes = 512

    /// Nodes in topological order (every edge goes forward), the start first.
    let nodes: [Node]
    /// For each node, its successor (by state name) resolved to a node label or a terminal label.
    let edges: [Node: [String: String]]

    init(_ parser: ParserGraph) throws {
        let analysis = ParserGraphAnalysis(parser)
        var cycleOf: [String: Int] = [:]
        for (index, cycle) in analysis.cycles.enumerated() {
            for state in cycle { cycleOf[state] = index }
        }
        func enter(_ state: String, from visits: [String: Int], sameCycle: Bool) -> Node? {
            var visits = sameCycle ? visits : [:]
            if let bound = parser.state(named: state)?.maxVisits, cycleOf[state] != nil {
                let count = visits[state, default: 0] + 1
                if count > bound { return nil }
                visits[state] = count
            }
            return Node(state: state, visits: visits)
        }
        guard let start = enter(parser.start, from: [:], sameCycle: false) else { throw CodegenError.parserTooLarge }
        var discovered: [Node] = [start]
        var seen: Set<Node> = [start]
        var edges: [Node: [String: String]] = [:]
        var index = 0
        while index < discovered.count {
            let node = discovered[index]
            index += 1
            var targets: [String: String] = [:]
            for next in analysis.successors(of: node.state) where targets[next] == nil {
                if ParserGraph.isTerminal(next) {
                    targets[next] = next
                    continue
                }
                let sameCycle = cycleOf[next] != nil && cycleOf[next] == cycleOf[node.state]
                guard let target = enter(next, from: node.visits, sameCycle: sameCycle) else {
                    targets[next] = ParserGraph.reject  // the bound is reached: a deeper stack is not traced
                    continue
                }
                targets[next] = target.label
                if seen.insert(target).inserted {
                    discovered.append(target)
                    if discovered.count > Self.maxNodes { throw CodegenError.parserTooLarge }
                }
            }
            edges[node] = targets
        }
        self.edges = edges
        self.nodes = Self.topologicallySorted(discovered, edges: edges)
    }

    /// Kahn's algorithm, ties broken by discovery order so the output is deterministic.
    private static func topologicallySorted(_ nodes: [Node], edges: [Node: [String: String]]) -> [Node] {
        let byLabel = Dictionary(uniqueKeysWithValues: nodes.map { ($0.label, $0) })
        var incoming: [Node: Int] = [:]
        for node in nodes {
            for label in Set(edges[node, default: [:]].values) {
                if let target = byLabel[label] { incoming[target, default: 0] += 1 }
            }
        }
        var ready = nodes.filter { incoming[$0, default: 0] == 0 }
        var order: [Node] = []
        while !ready.isEmpty {
            let node = ready.removeFirst()
            order.append(node)
            for label in Set(edges[node, default: [:]].values).sorted() {
                guard let target = byLabel[label] else { continue }
                incoming[target]! -= 1
                if incoming[target] == 0 {
                    ready.append(target)
                    ready.sort { nodes.firstIndex(of: $0)! < nodes.firstIndex(of: $1)! }
                }
            }
        }
        return order
    }
}
