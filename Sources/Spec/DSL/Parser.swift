/// The parser graph of a spec: its states, entered at `start`.
///
/// ```swift
/// Parser(start: "ethernet") {
///     State("ethernet") { Extract(ethernet); Select(ethernet.etherType) { Case(0x0800, "ipv4") } }
///     State("ipv4") { Extract(ipv4); Select(ipv4.protocol) { Case(6, "tcp") } }
///     State("tcp") { Extract(tcp); Transition(.accept) }
/// }
/// ```
public struct Parser: SpecComponent {
    let graph: ParserGraph
    let headers: [HeaderType]
    let diagnostics: [SpecDiagnostic]

    public init(start: String, line: Int = #line, @ListBuilder<State> states: () -> [State]) {
        let states = states()
        graph = ParserGraph(start: start, states: states.map(\.state), line: line)
        headers = states.flatMap(\.headers)
        diagnostics = states.flatMap(\.diagnostics)
    }

    public func apply(to spec: inout SpecIR) {
        if spec.parser.line != nil {
            spec.diagnostics.append(SpecDiagnostic(line: graph.line, "a spec has one Parser; this is a second one"))
        }
        spec.parser = graph
        spec.diagnostics += diagnostics
        for header in headers where !spec.headers.contains(header) {
            // Two different declarations under one name both stay, so validation can name them.
            spec.headers.append(header)
        }
    }
}

/// The name of a parser state, or one of the terminal states `.accept` and `.reject`.
public struct NextState: ExpressibleByStringLiteral, Hashable, Sendable {
    public let name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral name: String) { self.name = name }

    /// Hand the packet to the L7 stage (HTTP detection and the trace-context search).
    public static let accept = NextState(ParserGraph.accept)
    /// Stop: the packet is not traced (it is never dropped from the network).
    public static let reject = NextState(ParserGraph.reject)
}

/// One parser state: what it extracts and where it goes next. A state without a
/// transition rejects, as in P4.
///
/// ```swift
/// State("vlan", maxVisits: 2) {
///     Extract(vlan)
///     Select(vlan.etherType) { Case(0x8100, "vlan"); Case(0x0800, "ipv4") }
/// }
/// ```
public struct State {
    let state: ParserState
    let headers: [HeaderType]
    let diagnostics: [SpecDiagnostic]

    public init(_ name: String, maxVisits: Int? = nil, line: Int = #line, @ListBuilder<any StateStatement> _ body: () -> [any StateStatement]) {
        var draft = StateDraft(state: ParserState(name: name, maxVisits: maxVisits, transition: .direct(next: ParserGraph.reject, line: nil), line: line))
        for statement in body() {
            statement.apply(to: &draft)
        }
        state = draft.state
        headers = draft.headers
        diagnostics = draft.diagnostics
    }
}

/// A state under construction.
public struct StateDraft {
    var state: ParserState
    var headers: [HeaderType] = []
    var diagnostics: [SpecDiagnostic] = []
    var hasTransition = false

    mutating func setTransition(_ transition: StateTransition, line: Int) {
        if hasTransition {
            diagnostics.append(SpecDiagnostic(line: line, "state '\(state.name)' has more than one transition"))
        }
        hasTransition = true
        state.transition = transition
    }
}

/// Anything that may stand in a state's body.
public protocol StateStatement {
    func apply(to draft: inout StateDraft)
}

/// Extracts a header at the current offset and advances past it (options included).
public struct Extract: StateStatement {
    let header: Header
    let line: Int

    public init(_ header: Header, line: Int = #line) {
        self.header = header
        self.line = line
    }

    public func apply(to draft: inout StateDraft) {
        if draft.hasTransition {
            draft.diagnostics.append(SpecDiagnostic(line: line, "state '\(draft.state.name)' extracts after its transition"))
        }
        draft.state.extracts.append(header.declaration.name)
        draft.headers.append(header.declaration)
    }
}

/// Marks that passing this state enters a tunnel: the headers after it are the inner ones.
public struct EnterTunnel: StateStatement {
    let kind: TunnelKind
    let line: Int

    public init(_ kind: TunnelKind, line: Int = #line) {
        self.kind = kind
        self.line = line
    }

    public func apply(to draft: inout StateDraft) {
        if draft.state.tunnel != nil {
            draft.diagnostics.append(SpecDiagnostic(line: line, "state '\(draft.state.name)' enters a tunnel twice"))
        }
        draft.state.tunnel = kind
    }
}

/// Goes to `next` unconditionally.
public struct Transition: StateStatement {
    let next: NextState
    let line: Int

    public init(_ next: NextState, line: Int = #line) {
        self.next = next
        self.line = line
    }

    public func apply(to draft: inout StateDraft) {
        draft.setTransition(.direct(next: next.name, line: line), line: line)
    }
}

/// A P4 `select` on one or more fields: the first matching case wins, else the default
/// (reject unless a `Default` says otherwise).
///
/// ```swift
/// Select(ipv4.protocol) {
///     Case(6, "tcp")
///     Case(17, "udp")
///     Case(.range(lower: 0x90, upper: 0x9f), "experimental")
///     Default(.reject)
/// }
/// ```
public struct Select: StateStatement {
    let expression: SelectExpression
    let line: Int

    public init(_ keys: FieldRef..., line: Int = #line, @ListBuilder<SelectArm> _ arms: () -> [SelectArm]) {
        var expression = SelectExpression(keys: keys, cases: [], line: line)
        for arm in arms() {
            switch arm.kind {
            case .match(let selectCase): expression.cases.append(selectCase)
            case .otherwise(let next): expression.defaultNext = next
            }
        }
        self.expression = expression
        self.line = line
    }

    public func apply(to draft: inout StateDraft) {
        draft.setTransition(.select(expression), line: line)
    }
}

/// One arm of a `Select`: a `Case` or the `Default`.
public struct SelectArm {
    enum Kind { case match(SelectCase), otherwise(String) }
    let kind: Kind
}

/// A select case with one matcher per key field.
///
/// ```swift
/// Case(0x0800, "ipv4")                    // exact
/// Case(.mask(value: 0x4000, mask: 0xc000), "x")
/// Case([17, 4789], "vxlan")               // two key fields
/// ```
public func Case(_ matcher: Matcher, _ next: NextState, line: Int = #line) -> SelectArm {
    Case([matcher], next, line: line)
}

/// A select case for a multi-field key (see `Case(_:_:line:)`).
public func Case(_ matchers: [Matcher], _ next: NextState, line: Int = #line) -> SelectArm {
    SelectArm(kind: .match(SelectCase(matchers: matchers, next: next.name, line: line)))
}

/// Where a select goes when no case matches.
public func Default(_ next: NextState) -> SelectArm {
    SelectArm(kind: .otherwise(next.name))
}

extension Matcher: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: UInt64) {
        self = .exact(value)
    }
}
