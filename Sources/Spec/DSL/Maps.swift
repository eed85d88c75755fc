extension MapLayout: SpecComponent {
    public func apply(to spec: inout SpecIR) {
        spec.maps.append(self)
    }
}

/// The event ring buffer.
///
/// ```swift
/// RingBuffer("events", bytes: 1 << 20)
/// ```
public func RingBuffer(_ name: String, bytes: Int, line: Int = #line) -> MapLayout {
    MapLayout(name: name, kind: .ringBuffer(bytes: bytes), line: line)
}

/// Per-CPU scratch memory for the parse state and payload copies.
///
/// ```swift
/// Scratch("scratch", bytes: 16384)
/// ```
public func Scratch(_ name: String, bytes: Int, line: Int = #line) -> MapLayout {
    MapLayout(name: name, kind: .perCPUScratch(bytes: bytes), line: line)
}

/// A per-flow statistics map, hash or LRU.
///
/// ```swift
/// FlowMap("flows", evicting: true, maxEntries: 65536,
///         keys: [.inner(.sourceAddress), .inner(.destinationAddress)], values: [.packets, .lastTimestamp])
/// ```
public func FlowMap(
    _ name: String, evicting: Bool = true, maxEntries: Int, keys: [PacketField], values: [FlowStatistic], line: Int = #line
) -> MapLayout {
    let kind: MapKind = evicting
        ? .lru(keys: keys, values: values, maxEntries: maxEntries)
        : .hash(keys: keys, values: values, maxEntries: maxEntries)
    return MapLayout(name: name, kind: kind, line: line)
}

extension MatchActionTable: SpecComponent {
    /// A match-action table the runner fills at run time; packets that match no entry get the
    /// default action.
    ///
    /// ```swift
    /// Table("trace_filter", keys: .exact(.inner(.destinationPort)), .lpm(.inner(.destinationAddress)),
    ///       size: 1024, defaultAction: .trace)   // at most one LPM key, and it comes last
    /// ```
    public init(_ name: String, keys: TableKey..., size: Int = 1024, defaultAction: TableAction = .trace, line: Int = #line) {
        self.init(name: name, keys: keys, defaultAction: defaultAction, size: size, line: line)
    }

    public func apply(to spec: inout SpecIR) {
        spec.tables.append(self)
    }
}

public typealias Table = MatchActionTable

extension TableKey {
    public static func exact(_ field: PacketField, line: Int = #line) -> TableKey {
        TableKey(field: field, match: .exact, line: line)
    }

    public static func lpm(_ field: PacketField, line: Int = #line) -> TableKey {
        TableKey(field: field, match: .lpm, line: line)
    }
}

extension PacketField {
    /// `ipv4.ttl` and the like, as a key.
    public static func field(_ ref: FieldRef) -> PacketField { .header(ref) }
}
