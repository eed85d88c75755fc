@testable import Codegen
import Spec
import XCTest

/// C expressions for big-endian header fields at any bit offset, checked without clang: each
/// expression is evaluated over sample bytes by a tiny interpreter of the forms it uses.
final class FieldAccessTests: XCTestCase {
    let header = HeaderType(name: "h", fields: [
        HeaderField(name: "version", bits: 4), HeaderField(name: "ihl", bits: 4), HeaderField(name: "length", bits: 16),
        HeaderField(name: "flags", bits: 3), HeaderField(name: "offset", bits: 13), HeaderField(name: "wide", bits: 64),
        HeaderField(name: "tail", bits: 8), HeaderField(name: "vni", bits: 24), HeaderField(name: "mac", bits: 48),
        HeaderField(name: "seq", bits: 32),
    ])

    func testExpressionsForAlignedAndUnalignedFields() throws {
        XCTAssertEqual(try FieldAccess.expression(header, "version"), "(((__u32)h[0] >> 4) & 0xfU)")
        XCTAssertEqual(try FieldAccess.expression(header, "ihl"), "((__u32)h[0] & 0xfU)")
        XCTAssertEqual(try FieldAccess.expression(header, "length"), "(__u32)bpf_ntohs(*(const __u16 *)(h + 1))")
        XCTAssertEqual(try FieldAccess.expression(header, "flags"), "(((__u32)h[3] >> 5) & 0x7U)")
        XCTAssertEqual(try FieldAccess.expression(header, "offset"), "((__u32)bpf_ntohs(*(const __u16 *)(h + 3)) & 0x1fffU)")
        XCTAssertEqual(try FieldAccess.expression(header, "wide"), "bpf_be64_to_cpu(*(const __u64 *)(h + 5))")
        XCTAssertEqual(try FieldAccess.expression(header, "vni"), "(((__u32)bpf_ntohs(*(const __u16 *)(h + 14)) << 8) | (__u32)h[16])")
        XCTAssertEqual(try FieldAccess.expression(header, "mac"),
                       "(((__u64)bpf_ntohl(*(const __u32 *)(h + 17)) << 16) | (__u64)bpf_ntohs(*(const __u16 *)(h + 21)))")
        XCTAssertEqual(try FieldAccess.expression(header, "seq"), "(__u32)bpf_ntohl(*(const __u32 *)(h + 23))")
        XCTAssertEqual(FieldAccess.byteOffset(header, "tail"), 13)
    }

    func testCopiesAreWordPieces() {
        XCTAssertEqual(FieldAccess.copy(to: "p->inner.saddr", from: "h + 12", bytes: 4), ["*(__u32 *)((__u8 *)p->inner.saddr + 0) = *(const __u32 *)(h + 12 + 0);"])
        XCTAssertEqual(FieldAccess.copy(to: "p->mac", from: "h + 6", bytes: 7), [
            "*(__u32 *)((__u8 *)p->mac + 0) = *(const __u32 *)(h + 6 + 0);",
            "*(__u16 *)((__u8 *)p->mac + 4) = *(const __u16 *)(h + 6 + 4);",
            "*(__u8 *)((__u8 *)p->mac + 6) = *(const __u8 *)(h + 6 + 6);",
        ])
        XCTAssertEqual(FieldAccess.pieces(bytes: 16).map(\.bytes), [8, 8])
    }

    func testWordsHoldTheBytesInMemoryOrder() {
        let bytes = [UInt8](1...16)
        for count in [1, 4, 6, 7, 12, 16] {
            let words = FieldAccess.words(from: "h", bytes: count)
            XCTAssertEqual(words.count, (count + 7) / 8, "\(count) bytes")
            for (index, word) in words.enumerated() {
                let expected = (0..<8).reduce(UInt64(0)) { value, byte in
                    let position = 8 * index + byte
                    return position < count ? value | UInt64(bytes[position]) << (8 * byte) : value
                }
                XCTAssertEqual(Self.evaluateLittleEndian(word, bytes), expected, "\(count) bytes, word \(index): \(word)")
            }
        }
        XCTAssertEqual(FieldAccess.words(from: "h + 12", bytes: 4), ["(__u64)*(const __u32 *)(h + 12 + 0)"])
    }

    func testValuesMatchABitReader() throws {
        let bytes: [UInt8] = [0x45, 0x12, 0x34, 0xb5, 0x67, 1, 2, 3, 4, 5, 6, 7, 8, 0x99, 0xab, 0xcd, 0xef,
                              0x02, 0x42, 0xac, 0x11, 0x00, 0x07, 0xde, 0xad, 0xbe, 0xef]
        var bit = 0
        for field in header.fields {
            let expected = (0..<field.bits).reduce(UInt64(0)) { value, index in
                let position = bit + index
                return value << 1 | UInt64(bytes[position / 8] >> (7 - position % 8) & 1)
            }
            bit += field.bits
            XCTAssertEqual(Self.evaluate(try FieldAccess.expression(header, field.name), bytes), expected, field.name)
        }
    }

    func testAFieldOverEightBytesIsAnError() {
        let wide = HeaderType(name: "w", fields: [HeaderField(name: "pad", bits: 4), HeaderField(name: "long", bits: 64)])
        XCTAssertThrowsError(try FieldAccess.expression(wide, "long")) { error in
            XCTAssertEqual(error as? CodegenError, .fieldTooWide("w.long"))
        }
    }

    /// Evaluates `FieldAccess.words`' raw loads, `(__u64)*(const __uN *)(h + i)`, as a little-endian machine does.
    static func evaluateLittleEndian(_ expression: String, _ bytes: [UInt8]) -> UInt64 {
        let load = try! Regex(#"\(__u64\)\*\(const __u([0-9]+) \*\)\(h \+ ([0-9]+)\)"#)
        let values = expression.replacing(load) { match in
            let width = Int(match.output[1].substring!)!, offset = Int(match.output[2].substring!)!
            return String(bytes[offset..<(offset + width / 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        }
        return evaluate(values, bytes)
    }

    /// Evaluates the expression forms FieldAccess writes: `(__uN)h[i]`, big-endian word loads,
    /// `<<`, `>>`, `|`, `&`, hex masks.
    static func evaluate(_ expression: String, _ bytes: [UInt8]) -> UInt64 {
        var expression = expression
        for (function, width) in [("bpf_ntohs", 16), ("bpf_ntohl", 32), ("bpf_be64_to_cpu", 64)] {
            let load = try! Regex(#"\#(function)\(\*\(const __u\#(width) \*\)\(h \+ ([0-9]+)\)\)"#)
            expression = expression.replacing(load) { match in
                let offset = Int(match.output[1].substring!)!
                return String(bytes[offset..<(offset + width / 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            }
        }
        var tokens = expression.replacingOccurrences(of: "(__u32)", with: "").replacingOccurrences(of: "(__u64)", with: "")
            .replacingOccurrences(of: "ULL", with: "").replacingOccurrences(of: "U)", with: ")").replacingOccurrences(of: "~0", with: "0xffffffffffffffff")
        for (index, byte) in bytes.enumerated().reversed() { tokens = tokens.replacingOccurrences(of: "h[\(index)]", with: "\(byte)") }
        var characters = Array(tokens.filter { !$0.isWhitespace })
        var position = 0
        func number() -> UInt64 {
            let start = position
            if characters[position...].starts(with: "0x") {
                position += 2
                while position < characters.count, characters[position].isHexDigit { position += 1 }
                return UInt64(String(characters[(start + 2)..<position]), radix: 16)!
            }
            while position < characters.count, characters[position].isNumber { position += 1 }
            return UInt64(String(characters[start..<position]))!
        }
        func primary() -> UInt64 {
            if characters[position] == "(" {
                position += 1
                let value = binary()
                position += 1
                return value
            }
            return number()
        }
        func binary() -> UInt64 {
            var value = primary()
            while position < characters.count, characters[position] != ")" {
                if characters[position...].starts(with: "<<") { position += 2; value <<= primary() }
                else if characters[position...].starts(with: ">>") { position += 2; value >>= primary() }
                else if characters[position] == "|" { position += 1; value |= primary() }
                else if characters[position] == "&" { position += 1; value &= primary() }
                else { preconditionFailure("unexpected \(characters[position]) in \(expression)") }
            }
            return value
        }
        characters = characters.isEmpty ? ["0"] : characters
        return binary()
    }
}
