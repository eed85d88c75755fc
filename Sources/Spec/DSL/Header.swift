/// A header type as the DSL hands it around: `ipv4.protocol` names one of its fields.
///
/// ```swift
/// let tag = Header("tag") {
///     Field("kind", bits: 8)
///     Field("nextType", bits: 16)
/// }
/// State("tag") { Extract(tag); Select(tag.nextType) { Case(0x0800, "ipv4") } }
/// ```
@dynamicMemberLookup
public struct Header: Sendable {
    public let declaration: HeaderType

    public init(
        _ name: String, length: [LengthRule] = [], role: HeaderRole? = nil, line: Int = #line,
        @ListBuilder<HeaderField> fields: () -> [HeaderField]
    ) {
        declaration = HeaderType(name: name, fields: fields(), length: length, role: role, line: line)
    }

    init(builtin declaration: HeaderType) {
        self.declaration = declaration
    }

    public subscript(dynamicMember field: String) -> FieldRef {
        FieldRef(header: declaration.name, field: field)
    }
}

/// A header field of `bits` bits.
public func Field(_ name: String, bits: Int, line: Int = #line) -> HeaderField {
    HeaderField(name: name, bits: bits, line: line)
}
