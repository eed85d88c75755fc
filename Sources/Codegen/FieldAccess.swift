import Spec

/// C expressions that read a header field from a header pointer `h`, big-endian on the wire,
/// whatever its bit offset and width (up to 64 bits).
///
/// The bytes a field spans are read a word at a time where they can be (8, 4, then 2 bytes, each
/// turned to host order by `bpf_be64_to_cpu` / `bpf_ntohl` / `bpf_ntohs`, one BPF_END), a byte at
/// a time only for what is left: a byte-wise read cost a TCP sequence number ten instructions and
/// a port four, on every packet. Headers start at any offset, so the loads are unaligned; the
/// verifier allows that on the architectures a node runs (efficient unaligned access), as the
/// search's own word loads from the packet already need.
enum FieldAccess {
    static func expression(_ header: HeaderType, _ field: String, base: String = "h") throws -> String {
        guard let bitOffset = header.bitOffset(of: field), let bits = header.field(named: field)?.bits else {
            throw CodegenError.fieldTooWide("\(header.name).\(field)")
        }
        let first = bitOffset / 8
        let last = (bitOffset + bits - 1) / 8
        let count = last - first + 1
        guard count <= 8 else { throw CodegenError.fieldTooWide("\(header.name).\(field)") }
        let type = count <= 4 ? "__u32" : "__u64"
        let pieces = Self.pieces(bytes: count)
        var word = pieces.map { piece -> String in
            let load = Self.load(base: base, offset: first + piece.offset, bytes: piece.bytes, type: type)
            let shift = 8 * (count - piece.offset - piece.bytes)
            return shift == 0 ? load : "(\(load) << \(shift))"
        }.joined(separator: " | ")
        if pieces.count > 1 { word = "(\(word))" }
        let trailing = 8 * count - (bitOffset % 8) - bits
        let shifted = trailing == 0 ? word : "(\(word) >> \(trailing))"
        if bits == 8 * count { return shifted }
        let mask = bits == 64 ? "~0ULL" : "0x\(String((UInt64(1) << UInt64(bits)) - 1, radix: 16))\(count > 4 ? "ULL" : "U")"
        return "(\(shifted) & \(mask))"
    }

    /// C statements that copy `bytes` bytes at `source` (a packet pointer expression) to the map
    /// memory at `destination`, in the same word-sized pieces: `__builtin_memcpy` from a pointer
    /// of unknown alignment is a load and a store per byte on BPF.
    static func copy(to destination: String, from source: String, bytes: Int) -> [String] {
        pieces(bytes: bytes).map { piece in
            let type = piece.bytes == 1 ? "__u8" : "__u\(8 * piece.bytes)"
            return "*(\(type) *)((__u8 *)\(destination) + \(piece.offset)) = *(const \(type) *)(\(source) + \(piece.offset));"
        }
    }

    /// `bytes` bytes at `source` as the little-endian 64-bit words that hold them in memory order
    /// (the last one zero-padded), each built from the same word-sized pieces: for a value that is
    /// stored a word at a time.
    static func words(from source: String, bytes: Int) -> [String] {
        let byWord = Dictionary(grouping: pieces(bytes: bytes)) { $0.offset / 8 }
        return (0..<((bytes + 7) / 8)).map { index in
            byWord[index, default: []].map { piece in
                let type = piece.bytes == 1 ? "__u8" : "__u\(8 * piece.bytes)"
                let load = "(__u64)*(const \(type) *)(\(source) + \(piece.offset))"
                let shift = 8 * (piece.offset % 8)
                return shift == 0 ? load : "(\(load) << \(shift))"
            }.joined(separator: " | ")
        }
    }

    /// The byte offset of a byte-aligned field (addresses).
    static func byteOffset(_ header: HeaderType, _ field: String) -> Int {
        (header.bitOffset(of: field) ?? 0) / 8
    }

    /// `bytes` bytes as loads of 8, 4, 2 and 1 bytes, widest first.
    static func pieces(bytes: Int) -> [(offset: Int, bytes: Int)] {
        var pieces: [(offset: Int, bytes: Int)] = [], offset = 0
        while offset < bytes {
            let size = [8, 4, 2, 1].first { $0 <= bytes - offset }!
            pieces.append((offset, size))
            offset += size
        }
        return pieces
    }

    /// One big-endian load of 1, 2, 4 or 8 bytes at `base + offset`, as `type`.
    private static func load(base: String, offset: Int, bytes: Int, type: String) -> String {
        switch bytes {
        case 1: "(\(type))\(base)[\(offset)]"
        case 2: "(\(type))bpf_ntohs(*(const __u16 *)(\(base) + \(offset)))"
        case 4: "(\(type))bpf_ntohl(*(const __u32 *)(\(base) + \(offset)))"
        default: "bpf_be64_to_cpu(*(const __u64 *)(\(base) + \(offset)))"
        }
    }
}
