/// The byte classes the context grammars are written in. Only lowercase hex counts as hex:
/// W3C, B3 and OpenTelemetry's id parsers all reject uppercase digits.
enum Bytes {
    static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    static func isLowercaseHex(_ text: ArraySlice<UInt8>, count: ClosedRange<Int>) -> Bool {
        count.contains(text.count) && text.allSatisfy(isLowercaseHex)
    }

    static func isZero(_ text: ArraySlice<UInt8>) -> Bool { text.allSatisfy { $0 == UInt8(ascii: "0") } }

    static func isLowercaseAlpha(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    /// SP or HTAB, RFC 9110's optional whitespace.
    static func isOWS(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    static func split(_ bytes: [UInt8], on separator: Unicode.Scalar) -> [ArraySlice<UInt8>] {
        bytes.split(separator: UInt8(ascii: separator), omittingEmptySubsequences: false)
    }
}
