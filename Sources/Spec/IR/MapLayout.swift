/// A BPF map the generated program owns, beyond the ones every program needs.
public struct MapLayout: Codable, Hashable, Sendable {
    public var name: String
    public var kind: MapKind
    public var line: Int?

    public init(name: String, kind: MapKind, line: Int? = nil) {
        self.name = name
        self.kind = kind
        self.line = line
    }
}

public enum MapKind: Codable, Hashable, Sendable {
    /// The event ring buffer; its size is a power of two, at least one page.
    case ringBuffer(bytes: Int)
    /// Per-CPU scratch memory for the parse state and payload copies.
    case perCPUScratch(bytes: Int)
    /// Per-flow aggregates, keyed by packet fields.
    case hash(keys: [PacketField], values: [FlowStatistic], maxEntries: Int)
    /// As `hash`, evicting the least recently used flow when full.
    case lru(keys: [PacketField], values: [FlowStatistic], maxEntries: Int)
}

/// A value a flow map keeps per key, updated for every traced packet.
public enum FlowStatistic: String, Codable, Hashable, Sendable, CaseIterable {
    case packets, bytes, firstTimestamp, lastTimestamp
}

/// A P4-style match-action table that the runner fills at run time.
public struct MatchActionTable: Codable, Hashable, Sendable {
    public var name: String
    public var keys: [TableKey]
    public var defaultAction: TableAction
    public var size: Int
    public var line: Int?

    public init(name: String, keys: [TableKey], defaultAction: TableAction = .trace, size: Int = 1024, line: Int? = nil) {
        self.name = name
        self.keys = keys
        self.defaultAction = defaultAction
        self.size = size
        self.line = line
    }
}

public struct TableKey: Codable, Hashable, Sendable {
    public var field: PacketField
    public var match: MatchKind
    public var line: Int?

    public init(field: PacketField, match: MatchKind, line: Int? = nil) {
        self.field = field
        self.match = match
        self.line = line
    }
}

public enum MatchKind: String, Codable, Hashable, Sendable {
    case exact, lpm
}

public enum TableAction: String, Codable, Hashable, Sendable, CaseIterable {
    case trace, skip
}
