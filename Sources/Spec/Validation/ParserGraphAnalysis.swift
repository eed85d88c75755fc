/// Reachability questions about a parser graph.
public struct ParserGraphAnalysis {
    let parser: ParserGraph
    private let states: [String: ParserState]

    public init(_ parser: ParserGraph) {
        self.parser = parser
        var states: [String: ParserState] = [:]
        for state in parser.states where states[state.name] == nil {
            states[state.name] = state
        }
        self.states = states
    }

    public func successors(of name: String) -> [String] {
        states[name]?.successors ?? []
    }

    /// Every state reachable from `start`, terminal states included.
    var reachable: Set<String> {
        var seen: Set<String> = [parser.start]
        var queue = [parser.start]
        while let name = queue.popLast() {
            for next in successors(of: name) where seen.insert(next).inserted {
                queue.append(next)
            }
        }
        return seen
    }

    /// A shortest path from `start` to `target` through states that do not extract `header`,
    /// or nil when every path to `target` extracts it. The target itself may extract it only
    /// after the point of use, so it counts as not extracting it unless it is a state that does.
    func path(to target: String, avoiding header: String) -> [String]? {
        if states[target]?.extracts.contains(header) == true { return nil }
        var previous: [String: String] = [:]
        var queue = [parser.start]
        var seen: Set<String> = [parser.start]
        var index = 0
        while index < queue.count {
            let name = queue[index]
            index += 1
            if name == target {
                var path = [name]
                while let before = previous[path[0]] { path.insert(before, at: 0) }
                return path
            }
            if states[name]?.extracts.contains(header) == true { continue }
            for next in successors(of: name) where seen.insert(next).inserted {
                previous[next] = name
                queue.append(next)
            }
        }
        return nil
    }

    /// The parser's cycles, each as the set of states that lie on it (strongly connected components
    /// with an edge inside), in declaration order.
    public var cycles: [[String]] {
        let names = parser.states.map(\.name)
        var assigned: Set<String> = []
        var result: [[String]] = []
        for name in names where !assigned.contains(name) {
            let forward = closure(from: name)
            guard forward.contains(name) else { continue }
            let component = names.filter { forward.contains($0) && closure(from: $0).contains(name) }
            assigned.formUnion(component)
            result.append(component)
        }
        return result
    }

    /// States reachable from `name` in one or more steps.
    private func closure(from name: String) -> Set<String> {
        var seen: Set<String> = []
        var queue = successors(of: name)
        while let next = queue.popLast() {
            if seen.insert(next).inserted { queue += successors(of: next) }
        }
        return seen
    }
}
