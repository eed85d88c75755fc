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

    private var slotBytes: Int { map.valueSize / TableBucketLayout.slots }

    /// The entry's bucket and slot, when it has one.
    private struct Place {
        var bucket: UInt32
        var bytes: [UInt8]
        var slot: Int
    }

    /// Writes `key`'s entry (`action` 0 trace, 1 skip): a new key goes into the emptier of its two
    /// buckets, its words first and its state after, so no reader sees half a key; `room` says
    /// whether the table may take a new key; `naming` is the entry's keys as the user wrote them.
    /// True when the key was not there before.
    func set(_ key: [UInt8], action: UInt8, naming: String, room: () throws -> Void) throws -> Bool {
        let words = try self.words(of: key)
        let state = TableBucketLayout.state(action: action)
        let candidates = try self.candidates(of: words)
        if var place = try find(words, in: candidates) {
            let offset = stateOffset(place.slot)
            guard place.bytes[offset] != state else { return false }
            place.bytes[offset] = state
            try map.update(key: place.bucket.bytes, value: place.bytes)
            return false
        }
        try room()
        let free = candidates.map { (bucket: $0.index, bytes: $0.bytes, slot: freeSlot(in: $0.bytes)) }
        guard let target = free.filter({ $0.slot != nil }).min(by: { live(in: $0.bytes) < live(in: $1.bytes) }), let slot = target.slot else {
            throw RunnerError.usage("table '\(table.name)' has no room for \(naming): both of its "
                + "buckets (\(candidates.map { String($0.index) }.joined(separator: ", "))) hold \(TableBucketLayout.slots) entries; "
                + "a larger size than \(table.size) in the spec's Table spreads them over more buckets")
        }
        var bytes = target.bytes
        bytes.replaceSubrange(slot * slotBytes ..< stateOffset(slot), with: words.flatMap(\.bytes))
        try map.update(key: target.bucket.bytes, value: bytes)
        bytes[stateOffset(slot)] = state
        try map.update(key: target.bucket.bytes, value: bytes)
        return true
    }

    /// Empties `key`'s slot (its state only). True when the key was there.
    func remove(_ key: [UInt8]) throws -> Bool {
        let words = try self.words(of: key)
        guard var place = try find(words, in: try candidates(of: words)) else { return false }
        place.bytes[stateOffset(place.slot)] = 0
        try map.update(key: place.bucket.bytes, value: place.bytes)
        return true
    }

    private func words(of key: [UInt8]) throws -> [UInt64] {
        let words = TableBucketLayout.words(of: key)
        guard 8 * (words.count + 1) == slotBytes, map.valueSize == TableBucketLayout.slots * slotBytes else {
            throw RunnerError.object(path: specName, reason: "its table \(table.name) has \(map.valueSize)-byte buckets, not \(TableBucketLayout.slots) slots for a \(key.count)-byte key")
        }
        return words
    }

    private func candidates(of words: [UInt64]) throws -> [(index: UInt32, bytes: [UInt8])] {
        let (first, second) = TableBucketLayout.candidates(of: words, buckets: map.maxEntries)
        return try (first == second ? [first] : [first, second]).map { ($0, try map.lookup(key: $0.bytes)) }
    }

    private func find(_ words: [UInt64], in candidates: [(index: UInt32, bytes: [UInt8])]) throws -> Place? {
        let key = words.flatMap(\.bytes)
        for candidate in candidates {
            for slot in 0..<TableBucketLayout.slots where candidate.bytes[stateOffset(slot)] != 0 {
                if candidate.bytes[slot * slotBytes ..< stateOffset(slot)].elementsEqual(key) {
                    return Place(bucket: candidate.index, bytes: candidate.bytes, slot: slot)
                }
            }
        }
        return nil
    }

    private func stateOffset(_ slot: Int) -> Int { slot * slotBytes + slotBytes - 8 }
    private func freeSlot(in bytes: [UInt8]) -> Int? { (0..<TableBucketLayout.slots).first { bytes[stateOffset($0)] == 0 } }
    private func live(in bytes: [UInt8]) -> Int { (0..<TableBucketLayout.slots).filter { bytes[stateOffset($0)] != 0 }.count }
}
