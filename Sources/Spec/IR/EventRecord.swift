/// The record each traced packet leaves in the ring buffer, field by field, P4-style.
public struct EventRecord: Codable, Hashable, Sendable {
    public var fields: [RecordField]
    public var line: Int?

    public static let standardFields: [RecordField] = [
        .timestamp, .tracingPoint, .direction, .ifindex, .innerFiveTuple, .outerFiveTuple,
        .payloadLength, .traceContext,
    ]

    public init(fields: [RecordField] = EventRecord.standardFields, line: Int? = nil) {
        self.fields = fields
        self.line = line
    }

    /// With `.segment` the search follows a request whose header block goes on in the flow's next
    /// segments (and keys its event on the request's first byte); without it each packet is searched
    /// on its own, as the instruction budget of a spec with many formats may require.
    public var followsSplitRequests: Bool { fields.contains(.segment) }
}

public enum RecordField: Codable, Hashable, Sendable {
    /// `bpf_ktime_get_ns()` when the packet passed the tracing point.
    case timestamp
    case tracingPoint
    case direction
    case ifindex
    /// Addresses, protocol and ports of the innermost IP header and its transport header.
    case innerFiveTuple
    /// The same of the outermost IP header; equal to the inner one when no tunnel was entered.
    case outerFiveTuple
    /// L7 bytes in this packet (IP length less IP and TCP headers).
    case payloadLength
    /// The raw value bytes of every context header found, with the format; trace id, span id,
    /// parent span id and flags are derived from them and validated in user space.
    case traceContext
    /// The request the packet's context belongs to: the TCP sequence number of the request's first
    /// byte (the join key, whichever segment held the context and whether or not a point saw the
    /// segments coalesced) and the request offset of the segment the first context line began in.
    case segment
    /// A header field; `optional` fields are zero (and flagged absent) on paths without the header.
    case header(FieldRef, optional: Bool, line: Int?)

    public var label: String {
        switch self {
        case .timestamp: "timestamp"
        case .tracingPoint: "tracing_point"
        case .direction: "direction"
        case .ifindex: "ifindex"
        case .innerFiveTuple: "inner"
        case .outerFiveTuple: "outer"
        case .payloadLength: "payload_length"
        case .traceContext: "context"
        case .segment: "segment"
        case .header(let ref, _, _): "\(ref.header)_\(ref.field)"
        }
    }
}

/// A packet value that tables and maps can key on.
public enum PacketField: Codable, Hashable, Sendable, CustomStringConvertible {
    case inner(TupleMember)
    case outer(TupleMember)
    case header(FieldRef)

    public var description: String {
        switch self {
        case .inner(let m): "inner.\(m.rawValue)"
        case .outer(let m): "outer.\(m.rawValue)"
        case .header(let ref): ref.description
        }
    }
}

public enum TupleMember: String, Codable, Hashable, Sendable, CaseIterable {
    case sourceAddress, destinationAddress, transportProtocol, sourcePort, destinationPort
}
