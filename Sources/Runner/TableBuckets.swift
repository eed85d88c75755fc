import BPF
import ObjectModel
import Spec

/// An exact-match table's buckets in the loaded object (`TableBucketLayout`), read and written
/// one bucket at a time through the map, so what the runner sees is what the program sees.
struct TableBuckets {
    let map: BPFMap
    let table: MatchActionTable
    /// The spec the object was generated from, for errors about its layout.
    let specName: String

    /// Where a key of one length sits in a bucket's bytes (TableBucketLayout).
    private struct Slots {
        let slotBytes: Int
        let stateOffset: Int

        init(keyBytes: Int) {
            slotBytes = TableBucketLayout.slotBytes(keyBytes: keyBytes)
            stateOffset = TableBucketLayout.stateOffset(keyBytes: keyBytes)
        }

        func key(_ slot: Int) -> Range<Int> { slot * slotBytes ..< state(slot) }
        func state(_ slot: Int) -> Int { slot * slotBytes + stateOffset }
        func free(in bytes: [UInt8]) -> Int? { (0..<TableBucketLayout.slots).first { bytes[state($0)] == 0 } }
        func live(in bytes: [UInt8]) -> Int { (0..<TableBucketLayout.slots).filter { bytes[state($0)] != 0 }.count }
    }

    /// A bucket as read from the map.
    private struct Bucket {
        var index: UInt32
        var bytes: [UInt8]
    }

    /// Writes `key`'s entry (`action` 0 trace, 1 skip): a new key goes into the emptier of its two
    /// buckets, its words first and its state after, so no reader sees half a key; `room` says
    /// whether the table may take a new key; `naming` is the entry's keys as the user wrote them.
    /// True when the key was not there before.
    func set(_ key: [UInt8], action: UInt8, naming: String, room: () throws -> Void) throws -> Bool {
        let slots = try self.slots(for: key)
        let words = TableBucketLayout.words(of: key)
        let state = TableBucketLayout.state(action: action)
        let candidates = try self.candidates(of: words)
        if let (bucket, slot) = find(words, in: candidates, slots) {
            guard bucket.bytes[slots.state(slot)] != state else { return false }
            var bytes = bucket.bytes
            bytes[slots.state(slot)] = state
            try map.update(key: bucket.index.bytes, value: bytes)
            return false
        }
        try room()
        let open = candidates.filter { slots.free(in: $0.bytes) != nil }
        guard let target = open.min(by: { slots.live(in: $0.bytes) < slots.live(in: $1.bytes) }), let slot = slots.free(in: target.bytes) else {
            throw RunnerError.usage("table '\(table.name)' has no room for \(naming): both of its "
                + "buckets (\(candidates.map { String($0.index) }.joined(separator: ", "))) hold \(TableBucketLayout.slots) entries; "
                + "a larger size than \(table.size) in the spec's Table spreads them over more buckets")
        }
        var bytes = target.bytes
        bytes.replaceSubrange(slots.key(slot), with: words.flatMap(\.bytes))
        try map.update(key: target.index.bytes, value: bytes)
        bytes[slots.state(slot)] = state
        try map.update(key: target.index.bytes, value: bytes)
        return true
    }

    /// Empties `key`'s slot (its state only). True when the key was there.
    func remove(_ key: [UInt8]) throws -> Bool {
        let slots = try self.slots(for: key)
        let words = TableBucketLayout.words(of: key)
        guard let (bucket, slot) = find(words, in: try candidates(of: words), slots) else { return false }
        var bytes = bucket.bytes
        bytes[slots.state(slot)] = 0
        try map.update(key: bucket.index.bytes, value: bytes)
        return true
    }

    /// The slots for a key of this length, the table's buckets checked against the layout.
    private func slots(for key: [UInt8]) throws -> Slots {
        guard map.valueSize == TableBucketLayout.bucketBytes(keyBytes: key.count) else {
            throw RunnerError.object(path: specName, reason: "its table \(table.name) has \(map.valueSize)-byte buckets, not "
                + "\(TableBucketLayout.bucketBytes(keyBytes: key.count)) for a \(key.count)-byte key (TableBucketLayout)")
        }
        return Slots(keyBytes: key.count)
    }

    private func candidates(of words: [UInt64]) throws -> [Bucket] {
        let (first, second) = TableBucketLayout.candidates(of: words, buckets: map.maxEntries)
        return try (first == second ? [first] : [first, second]).map { Bucket(index: $0, bytes: try map.lookup(key: $0.bytes)) }
    }

    private func find(_ words: [UInt64], in candidates: [Bucket], _ slots: Slots) -> (Bucket, Int)? {
        let key = words.flatMap(\.bytes)
        for bucket in candidates {
            for slot in 0..<TableBucketLayout.slots where bucket.bytes[slots.state(slot)] != 0 && bucket.bytes[slots.key(slot)].elementsEqual(key) {
                return (bucket, slot)
            }
        }
        return nil
    }
}
