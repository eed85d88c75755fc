/// How an exact-match table is kept: not a BPF hash map, whose lookup is a helper call that hashes
/// the key and walks a bucket (~40 ns here, more than the rest of a filtered packet's path), but an
/// array of buckets the program reads with the loads the verifier inlines. A key may sit in either
/// of two buckets, both chosen by one hash of its bytes (two-choice hashing), each bucket holding
/// `slots` keys; the program compares the key with every slot of both, so a lookup costs the same
/// whether the key is there or not. With as many buckets as the table's size (rounded up to a power
/// of two) and the runner putting each key in the emptier of its two, a full bucket pair is
/// improbable and reported as an error when it happens, never a silent drop.
///
/// The generated code and the runner's `TableFiller` both follow this one description: the key's
/// bytes (its fields in the table's order, network order, as `TableFiller` encodes them) are packed
/// into little-endian 64-bit words, zero padded; a slot is those words and a state word whose first
/// byte is 0 (empty) or 1 + the entry's action. The runner changes a slot's key only while the slot
/// is empty and its state byte alone afterwards, so a program reading a slot the runner is writing
/// sees an empty slot, the entry before the write or the entry after it.
public enum TableBucketLayout {
    /// Keys per bucket.
    public static let slots = 4
    /// The hash's multiplier (2^64 / φ) and its seed, written into the generated code as well.
    public static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    public static let seed: UInt64 = 0x6D74_7461_626C_6573

    /// 64-bit words a key of `keyBytes` bytes takes.
    public static func keyWords(keyBytes: Int) -> Int { (keyBytes + 7) / 8 }
    /// Bytes a slot takes: the key's words, then the state word.
    public static func slotBytes(keyBytes: Int) -> Int { 8 * keyWords(keyBytes: keyBytes) + 8 }
    /// Bytes a bucket (one array element) takes.
    public static func bucketBytes(keyBytes: Int) -> Int { slots * slotBytes(keyBytes: keyBytes) }
    /// Offset of the state byte in a slot.
    public static func stateOffset(keyBytes: Int) -> Int { 8 * keyWords(keyBytes: keyBytes) }
    /// Buckets for a table of `size` entries: a power of two, so a bucket index is a mask.
    public static func buckets(size: Int) -> Int {
        var count = 1
        while count < size { count <<= 1 }
        return count
    }

    /// The state byte of a slot holding an entry with this action (0 trace, 1 skip).
    public static func state(action: UInt8) -> UInt8 { 1 + action }

    /// The key's bytes as the words the program compares and hashes.
    public static func words(of key: [UInt8]) -> [UInt64] {
        (0..<keyWords(keyBytes: key.count)).map { word in
            (0..<8).reduce(UInt64(0)) { value, byte in
                let index = 8 * word + byte
                return index < key.count ? value | UInt64(key[index]) << (8 * UInt64(byte)) : value
            }
        }
    }

    /// The two buckets the key may sit in (the same one when the hash's halves agree).
    public static func candidates(of words: [UInt64], buckets: Int) -> (UInt32, UInt32) {
        let hash = self.hash(words)
        let mask = UInt64(buckets - 1)
        return (UInt32(hash & mask), UInt32(hash >> 32 & mask))
    }

    /// A multiply-xorshift over the words; the generated code spells the same steps
    /// (`MapEmitter`), and a table the runner fills is found by the program only when they agree.
    public static func hash(_ words: [UInt64]) -> UInt64 {
        var hash = seed
        for word in words {
            hash = (hash ^ word) &* multiplier
            hash ^= hash >> 32
        }
        hash = hash &* multiplier
        return hash ^ hash >> 29
    }
}
