import BPF
import ObjectModel
import Spec

/// One match-action table in a loaded object: its state in `mt_table_defaults` (default action,
/// entries flag, entry count) and its entries (buckets for exact keys, an LPM trie for a prefix).
struct TableStore {
    let index: Int
    let table: MatchActionTable
    let specName: String
    let defaults: BPFMap
    let entries: BPFMap

    private var buckets: TableBuckets { TableBuckets(map: entries, table: table, specName: specName) }

    func state() throws -> TableStateLayout.Value {
        TableStateLayout.Value(bytes: try defaults.lookup(key: UInt32(index).bytes))
    }

    func write(_ state: TableStateLayout.Value) throws {
        try defaults.update(key: UInt32(index).bytes, value: state.bytes)
    }

    /// Writes `key`'s entry (`action` 0 trace, 1 skip; `naming`: its keys as the user wrote them);
    /// the table holds `count` entries. True when the key is new; a new key in a table already at
    /// its spec's size is an error.
    func set(_ key: [UInt8], action: UInt8, naming: String, entries count: UInt32) throws -> Bool {
        func room() throws {
            guard Int(count) < table.size else {
                throw RunnerError.usage("table '\(table.name)' is full: it holds \(count) entries, its spec's size, so \(naming) cannot go in")
            }
        }
        guard table.keys.last?.match == .lpm else {
            return try buckets.set(key, action: action, naming: naming, room: room)
        }
        let new = try entries.value(at: key) == nil
        if new { try room() }
        try entries.update(key: key, value: [action])
        return new
    }

    /// Takes `key`'s entry out. True when it was there.
    func remove(_ key: [UInt8]) throws -> Bool {
        guard table.keys.last?.match == .lpm else {
            return try buckets.remove(key)
        }
        guard try entries.value(at: key) != nil else { return false }
        try entries.delete(key: key)
        return true
    }
}
