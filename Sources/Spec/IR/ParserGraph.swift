/// The parser: P4 parser states joined by transitions, entered at `start`.
public struct ParserGraph: Codable, Hashable, Sendable {
    /// The terminal state that hands the packet to the L7 stage.
    public static let accept = "accept"
    /// The terminal state that drops the packet from tracing (never from the network).
    public static let reject = "reject"

    public var start: String
    public var states: [ParserState]
    public var line: Int?

    public init(start: String, states: [ParserState], line: Int? = nil) {
        self.start = start
        self.states = states
        self.line = line
    }

    public func state(named name: String) -> ParserState? {
        states.first { $0.name == name }
    }

    public static func isTerminal(_ name: String) -> Bool {
        name == accept || name == reject
    }
}

public struct ParserState: Codable, Hashable, Sendable {
    public var name: String
    /// The header types this state extracts, in order.
    public var extracts: [String]
    /// Set when passing this state enters a tunnel: later headers are the inner ones.
    public var tunnel: TunnelKind?
    /// How often one packet may pass this state: the bound that makes a cycle (a header stack) finite.
    public var maxVisits: Int?
    public var transition: StateTransition
    public var line: Int?

    public init(name: String, extracts: [String] = [], tunnel: TunnelKind? = nil, maxVisits: Int? = nil, transition: StateTransition, line: Int? = nil) {
        self.name = name
        self.extracts = extracts
        self.tunnel = tunnel
        self.maxVisits = maxVisits
        self.transition = transition
        self.line = line
    }

    /// Every state this one can go to, in order.
    public var successors: [String] {
        switch transition {
        case .direct(let next, _): [next]
        case .select(let select): select.cases.map(\.next) + [select.defaultNext]
        }
    }
}

public enum TunnelKind: String, Codable, Hashable, Sendable, CaseIterable {
    case vxlan, geneve, gre, ipip, other
}

public enum StateTransition: Codable, Hashable, Sendable {
    case direct(next: String, line: Int?)
    case select(SelectExpression)
}

/// A P4 `select`: the first case whose matchers all match the key fields wins.
public struct SelectExpression: Codable, Hashable, Sendable {
    public var keys: [FieldRef]
    public var cases: [SelectCase]
    public var defaultNext: String
    public var line: Int?

    public init(keys: [FieldRef], cases: [SelectCase], defaultNext: String = ParserGraph.reject, line: Int? = nil) {
        self.keys = keys
        self.cases = cases
        self.defaultNext = defaultNext
        self.line = line
    }
}

public struct SelectCase: Codable, Hashable, Sendable {
    /// One matcher per key field.
    public var matchers: [Matcher]
    public var next: String
    public var line: Int?

    public init(matchers: [Matcher], next: String, line: Int? = nil) {
        self.matchers = matchers
        self.next = next
        self.line = line
    }
}

public enum Matcher: Codable, Hashable, Sendable {
    case exact(UInt64)
    case mask(value: UInt64, mask: UInt64)
    case range(lower: UInt64, upper: UInt64)
    case any

    public func matches(_ value: UInt64) -> Bool {
        switch self {
        case .exact(let v): value == v
        case .mask(let v, let m): value & m == v & m
        case .range(let lo, let hi): lo <= value && value <= hi
        case .any: true
        }
    }
}
