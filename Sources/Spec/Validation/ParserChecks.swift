extension SpecValidator {
    static let maxVisitsRange = 1...16

    mutating func checkParser() {
        let parser = ir.parser
        if parser.line == nil {
            report(ir.line, "spec '\(ir.name)' has no Parser")
            return
        }
        checkUnique(parser.states, kind: "state", name: \.name, line: \.line)
        let declared = Set(parser.states.map(\.name))
        for state in parser.states where ParserGraph.isTerminal(state.name) {
            report(state.line, "'\(state.name)' is a built-in terminal state and cannot be declared")
        }
        if !declared.contains(parser.start) {
            report(parser.line, "the parser starts at unknown state '\(parser.start)'")
        }
        let reachable = graph.reachable
        for state in parser.states {
            checkTransition(of: state, declared: declared)
            if !reachable.contains(state.name) {
                report(state.line, "state '\(state.name)' is unreachable from the start state '\(parser.start)'")
            }
            if let bound = state.maxVisits, !Self.maxVisitsRange.contains(bound) {
                report(state.line, "state '\(state.name)' has maxVisits \(bound); bounds are \(Self.maxVisitsRange.lowerBound) to \(Self.maxVisitsRange.upperBound)")
            }
        }
        for cycle in graph.cycles where !cycle.contains(where: { parser.state(named: $0)?.maxVisits != nil }) {
            let line = parser.state(named: cycle[0])?.line
            report(line, "parser cycle through \(cycle.joined(separator: ", ")) has no bound: give one of its states maxVisits")
        }
        if declared.contains(parser.start), !reachable.contains(ParserGraph.accept) {
            report(parser.line, "no path of the parser reaches accept, so nothing is ever traced")
        }
    }

    private mutating func checkTransition(of state: ParserState, declared: Set<String>) {
        func checkTarget(_ next: String, line: Int?) {
            if !ParserGraph.isTerminal(next), !declared.contains(next) {
                report(line ?? state.line, "state '\(state.name)' goes to unknown state '\(next)'")
            }
        }
        switch state.transition {
        case .direct(let next, let line):
            checkTarget(next, line: line)
        case .select(let select):
            checkTarget(select.defaultNext, line: select.line)
            var widths: [Int?] = []
            for key in select.keys {
                let field = resolve(key, line: select.line, usage: "select in state '\(state.name)'")
                widths.append(field?.bits)
                if let field, field.bits > 64 {
                    report(select.line, "select in state '\(state.name)' is on '\(key)', which is \(field.bits) bits; select keys are at most 64 bits")
                }
                if field != nil {
                    requireExtracted(key.header, before: state.name, line: select.line, usage: "select on '\(key)' in state '\(state.name)'")
                }
            }
            if select.keys.isEmpty {
                report(select.line, "select in state '\(state.name)' has no key fields")
            }
            for selectCase in select.cases {
                checkTarget(selectCase.next, line: selectCase.line)
                checkCase(selectCase, widths: widths, state: state.name, line: selectCase.line ?? select.line)
            }
        }
    }

    private mutating func checkCase(_ selectCase: SelectCase, widths: [Int?], state: String, line: Int?) {
        guard selectCase.matchers.count == widths.count else {
            report(line, "a case in state '\(state)' has \(selectCase.matchers.count) values for \(widths.count) key fields")
            return
        }
        for (matcher, width) in zip(selectCase.matchers, widths) {
            guard let width, width < 64 else { continue }
            let limit = (UInt64(1) << UInt64(width)) - 1
            let values: [UInt64] = switch matcher {
            case .exact(let v): [v]
            case .mask(let v, let m): [v, m]
            case .range(let lo, let hi): [lo, hi]
            case .any: []
            }
            if let wide = values.first(where: { $0 > limit }) {
                report(line, "a case in state '\(state)' uses \(wide), which does not fit a \(width)-bit field")
            }
            if case .range(let lo, let hi) = matcher, lo > hi {
                report(line, "a case in state '\(state)' has an empty range \(lo)...\(hi)")
            }
        }
    }
}
