extension SpecValidator {
    static let maxFieldBits = 128

    mutating func checkHeaders() {
        checkUnique(ir.headers, kind: "header", name: \.name, line: \.line)
        for header in ir.headers {
            checkUnique(header.fields, kind: "field in header '\(header.name)'", name: \.name, line: { $0.line ?? header.line })
            if header.fields.isEmpty {
                report(header.line, "header '\(header.name)' has no fields")
            }
            var offset = 0
            for field in header.fields {
                if !(1...Self.maxFieldBits).contains(field.bits) {
                    report(field.line ?? header.line, "field '\(header.name).\(field.name)' is \(field.bits) bits wide; fields are 1 to \(Self.maxFieldBits) bits")
                } else if field.bits > 64, field.bits % 8 != 0 || offset % 8 != 0 {
                    report(field.line ?? header.line, "field '\(header.name).\(field.name)' is wider than 64 bits, so it must be whole bytes at a byte offset")
                }
                offset += field.bits
            }
            if offset % 8 != 0 {
                report(header.line, "the fields of header '\(header.name)' add up to \(offset) bits, which is not a whole number of bytes")
            }
            for rule in header.length {
                checkLengthRule(rule, of: header)
            }
            for name in header.role?.fieldNames ?? [] where header.field(named: name) == nil {
                report(header.line, "the role of header '\(header.name)' names unknown field '\(name)'")
            }
        }
    }

    private mutating func checkLengthRule(_ rule: LengthRule, of header: HeaderType) {
        guard let field = header.field(named: rule.field) else {
            report(header.line, "a length rule of header '\(header.name)' names unknown field '\(rule.field)'")
            return
        }
        if field.bits > 16 {
            report(header.line, "length field '\(header.name).\(field.name)' is \(field.bits) bits; length fields are at most 16 bits")
        }
        switch rule {
        case .totalLength(_, let unit), .extraLength(_, let unit):
            if unit < 1 { report(header.line, "a length rule of header '\(header.name)' has unit \(unit); units are at least 1 byte") }
        case .optional(_, let mask, let bytes):
            if mask == 0 || bytes < 1 {
                report(header.line, "an optional-part rule of header '\(header.name)' needs a non-zero mask and at least 1 byte")
            }
        }
    }
}
