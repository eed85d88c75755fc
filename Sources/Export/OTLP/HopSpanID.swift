/// The span id of a hop's span, derived from what identifies the hop: trace id, hop, node and
/// TCP sequence number (the first kernel timestamp when there is none). Deterministic, so a batch
/// retried after a lost response, or a hop exported twice, lands on the same span instead of a
/// duplicate; and two nodes' hops of one request never collide because the node is in it.
/// FNV-1a over the fields, finished with a 64-bit mixer so that near-identical inputs (consecutive
/// sequence numbers) spread over the whole id space; never zero, which OTLP reserves.
enum HopSpanID {
    static func make(traceId: String, hop: String, node: String, sequence: UInt64?, firstTimestampNs: UInt64) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            hash ^= 0xff
            hash = hash &* 0x0000_0100_0000_01b3
        }
        add(traceId.utf8)
        add(hop.utf8)
        add(node.utf8)
        if let sequence {
            add([0x73] + bytes(sequence))
        } else {
            add([0x74] + bytes(firstTimestampNs))
        }
        var mixed = hash
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        mixed ^= mixed >> 31
        return bytes(mixed == 0 ? 1 : mixed)
    }

    private static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }
}
