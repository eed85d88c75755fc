/// A P4 `header`: named fields of given bit widths, in wire order, big-endian.
public struct HeaderType: Codable, Hashable, Sendable {
    public var name: String
    public var fields: [HeaderField]
    /// How the on-wire length departs from the fixed fields (options, optional words).
    public var length: [LengthRule]
    /// What the header means to the parser's built-in notions (5-tuples, VNI).
    public var role: HeaderRole?
    public var line: Int?

    public init(name: String, fields: [HeaderField], length: [LengthRule] = [], role: HeaderRole? = nil, line: Int? = nil) {
        self.name = name
        self.fields = fields
        self.length = length
        self.role = role
        self.line = line
    }

    public var fixedBits: Int { fields.reduce(0) { $0 + $1.bits } }
    public var fixedBytes: Int { fixedBits / 8 }

    public func field(named name: String) -> HeaderField? {
        fields.first { $0.name == name }
    }

    /// The field's offset from the start of the header, in bits.
    public func bitOffset(of name: String) -> Int? {
        var offset = 0
        for field in fields {
            if field.name == name { return offset }
            offset += field.bits
        }
        return nil
    }
}

public struct HeaderField: Codable, Hashable, Sendable {
    public var name: String
    public var bits: Int
    public var line: Int?

    public init(name: String, bits: Int, line: Int? = nil) {
        self.name = name
        self.bits = bits
        self.line = line
    }
}

/// A rule that makes a header longer than its fixed fields.
public enum LengthRule: Codable, Hashable, Sendable {
    /// The whole header is `field × unit` bytes, at least the fixed part (IPv4 IHL, TCP data offset).
    case totalLength(field: String, unit: Int)
    /// `field × unit` bytes follow the fixed part (Geneve option length).
    case extraLength(field: String, unit: Int)
    /// `bytes` follow when `field & mask` is non-zero, in rule order (GRE checksum, key, sequence).
    case optional(field: String, mask: UInt64, bytes: Int)

    public var field: String {
        switch self {
        case .totalLength(let field, _), .extraLength(let field, _), .optional(let field, _, _): field
        }
    }
}

/// The built-in meaning of a header's fields.
public enum HeaderRole: Codable, Hashable, Sendable {
    /// An IP header: addresses, the next protocol, and the length field that bounds the payload.
    case network(source: String, destination: String, nextProtocol: String, length: String, lengthIncludesHeader: Bool)
    /// A transport header with ports.
    case transport(sourcePort: String, destinationPort: String)
    /// A tunnel header carrying a virtual network identifier.
    case tunnel(vni: String)

    public var fieldNames: [String] {
        switch self {
        case .network(let s, let d, let p, let l, _): [s, d, p, l]
        case .transport(let s, let d): [s, d]
        case .tunnel(let vni): [vni]
        }
    }
}

/// A reference to one field of one header type, as `ipv4.protocol` writes it.
public struct FieldRef: Codable, Hashable, Sendable, CustomStringConvertible {
    public var header: String
    public var field: String

    public init(header: String, field: String) {
        self.header = header
        self.field = field
    }

    public var description: String { "\(header).\(field)" }
}
