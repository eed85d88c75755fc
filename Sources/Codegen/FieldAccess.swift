import Spec

/// C expressions that read a header field from a header pointer `h`, big-endian on the wire,
/// whatever its bit offset and width (up to 64 bits).
enum FieldAccess {
    static func expression(_ header: HeaderType, _ field: String, base: String = "h") throws -> String {
        guard let bitOffset = header.bitOffset(of: field), let bits = header.field(named: field)?.bits else {
            throw CodegenError.fieldTooWide("\(header.name).\(field)")
        }
        let first = bitOffset / 8
        let last = (bitOffset + bits - 1) / 8
        let count = last - first + 1
        guard count <= 8 else { throw CodegenError.fieldTooWide("\(header.name).\(field)") }
        let type = count == 1 ? "__u32" : count == 2 ? "__u32" : count <= 4 ? "__u32" : "__u64"
        var word = (first...last).map { index -> String in
            let shift = 8 * (last - index)
            return shift == 0 ? "(\(type))\(base)[\(index)]" : "((\(type))\(base)[\(index)] << \(shift))"
        }.joined(separator: " | ")
        if count > 1 { word = "(\(word))" }
        let trailing = 8 * count - (bitOffset % 8) - bits
        let shifted = trailing == 0 ? word : "(\(word) >> \(trailing))"
        if bits == 8 * count { return shifted }
        let mask = bits == 64 ? "~0ULL" : "0x\(String((UInt64(1) << UInt64(bits)) - 1, radix: 16))\(count > 4 ? "ULL" : "U")"
        return "(\(shifted) & \(mask))"
    }

    /// The byte offset of a byte-aligned field (addresses).
    static func byteOffset(_ header: HeaderType, _ field: String) -> Int {
        (header.bitOffset(of: field) ?? 0) / 8
    }
}
