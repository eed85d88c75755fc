import BPF
import Foundation
import ObjectModel
import Spec

/// Match-action table contents given at run time: `--table NAME=KEY[,KEY…]:ACTION` (keys in the
/// table's key order; an LPM key as ADDRESS/PREFIX), `--table-file FILE` with one such entry a
/// line (# comments), and `--table-default NAME=ACTION`. Filled into the loaded object's maps,
/// so what is traced changes without recompiling.
public struct TableEntry: Hashable, Sendable {
    public var table: String
    public var keys: [String]
    public var action: TableAction

    public init(table: String, keys: [String], action: TableAction) {
        self.table = table
        self.keys = keys
        self.action = action
    }

    public init(parsing text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        let keyAndAction = parts.count == 2 ? parts[1].split(separator: ":").map(String.init) : []
        guard parts.count == 2, keyAndAction.count == 2, let action = TableAction(rawValue: keyAndAction[1]) else {
            throw RunnerError.usage("a table entry is NAME=KEY[,KEY…]:trace|skip, not '\(text)'")
        }
        table = parts[0]
        keys = keyAndAction[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        self.action = action
    }

    public static func parse(file path: String) throws -> [TableEntry] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RunnerError.usage("cannot read table file '\(path)'")
        }
        return try text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }.map(TableEntry.init(parsing:))
    }
}

public enum TableFiller {
    /// Writes every table's default action (the spec's, or an override) and the entries.
    public static func fill(_ object: LoadedObject, entries: [TableEntry] = [], defaults: [String: TableAction] = [:]) throws {
        let spec = object.manifest.spec
        for name in defaults.keys where !spec.tables.contains(where: { $0.name == name }) {
            throw RunnerError.usage("--table-default names unknown table '\(name)'")
        }
        for (index, table) in spec.tables.enumerated() {
            try setDefault(defaults[table.name] ?? table.defaultAction, ofTable: index, in: object)
        }
        try add(entries, to: object)
    }

    /// Writes entries, leaving the defaults as they are. Each table's entries flag is set first, so
    /// the program looks an entry up from the moment it is there; a table holds at most its spec's
    /// size.
    public static func add(_ entries: [TableEntry], to object: LoadedObject) throws {
        let keyed = try entries.map { (entry: $0, key: try key(of: $0, in: object)) }
        for table in Set(keyed.map(\.key.table)).sorted() {
            let store = try self.store(ofTable: table, in: object)
            var state = try store.state()
            if !state.hasEntries {
                state.hasEntries = true
                try store.write(state)
            }
            for (entry, key) in keyed where key.table == table {
                if try store.set(key.bytes, action: entry.action == .trace ? 0 : 1, naming: entry.keys.joined(separator: ","), entries: state.entries) {
                    state.entries += 1
                    try store.write(state)
                }
            }
        }
    }

    /// Takes entries out again (`--trace-service` when a Service's endpoints change); one that is
    /// not there is no error. A table left without entries has its flag cleared after, and is no
    /// longer looked up.
    public static func remove(_ entries: [TableEntry], from object: LoadedObject) throws {
        let keys = try entries.map { try key(of: $0, in: object) }
        for table in Set(keys.map(\.table)).sorted() {
            let store = try self.store(ofTable: table, in: object)
            var state = try store.state()
            for key in keys where key.table == table {
                if try store.remove(key.bytes) {
                    state.entries -= 1
                    state.hasEntries = state.entries > 0
                    try store.write(state)
                }
            }
        }
    }

    /// Sets table `index`'s action for packets no entry matches.
    public static func setDefault(_ action: TableAction, ofTable index: Int, in object: LoadedObject) throws {
        let store = try self.store(ofTable: index, in: object)
        var state = try store.state()
        state.skip = action == .skip
        try store.write(state)
    }

    /// Table `index`'s state and entries, in the maps the object's program reads.
    private static func store(ofTable index: Int, in object: LoadedObject) throws -> TableStore {
        let spec = object.manifest.spec
        let table = spec.tables[index]
        guard let defaults = object.maps.tableDefaults, let map = object.maps.tables[table.name] else {
            throw RunnerError.object(path: spec.name, reason: "it lacks the maps of table '\(table.name)'")
        }
        return TableStore(index: index, table: table, specName: spec.name, defaults: defaults, entries: map)
    }

    /// The entry's table (its index in the spec) and its key's bytes there.
    static func key(of entry: TableEntry, in object: LoadedObject) throws -> (table: Int, bytes: [UInt8]) {
        let spec = object.manifest.spec
        guard let index = spec.tables.firstIndex(where: { $0.name == entry.table }) else {
            throw RunnerError.usage("table entry names unknown table '\(entry.table)' (the spec has \(spec.tables.map(\.name).joined(separator: ", ")))")
        }
        let table = spec.tables[index]
        guard entry.keys.count == table.keys.count else {
            throw RunnerError.usage("table '\(table.name)' has \(table.keys.count) key(s) (\(table.keys.map(\.field.description).joined(separator: ", "))), the entry gives \(entry.keys.count)")
        }
        var key: [UInt8] = []
        var prefixBits = 0
        for (text, tableKey) in zip(entry.keys, table.keys) {
            let (bytes, prefix) = try encode(text, as: tableKey, spec: spec)
            key += bytes
            // An LPM key matches over the exact keys' whole width, then the prefix.
            prefixBits += tableKey.match == .lpm ? prefix : 8 * bytes.count
        }
        if table.keys.last?.match == .lpm { key = UInt32(prefixBits).bytes + key }
        return (index, key)
    }

    /// A key field's bytes (network order, as the generated code builds them) and its prefix bits.
    static func encode(_ text: String, as key: TableKey, spec: SpecIR) throws -> ([UInt8], Int) {
        func bad(_ why: String) -> RunnerError { .usage("table key '\(text)' for \(key.field): \(why)") }
        var value = text
        var prefix: Int?
        if key.match == .lpm, let slash = text.firstIndex(of: "/") {
            value = String(text[..<slash])
            guard let bits = Int(text[text.index(after: slash)...]) else { throw bad("the prefix length is not a number") }
            prefix = bits
        }
        switch key.field {
        case .inner(let member), .outer(let member):
            switch member {
            case .sourceAddress, .destinationAddress:
                guard let address = IPAddress(value) else { throw bad("not an IPv4 or IPv6 address") }
                let bits = address.isIPv6 ? 128 : 32
                return (address.bytes, min(prefix ?? bits, bits))
            case .transportProtocol:
                guard let number = UInt8(value) else { throw bad("not a protocol number") }
                return ([number], prefix ?? 8)
            case .sourcePort, .destinationPort:
                guard let port = UInt16(value) else { throw bad("not a port") }
                return ([UInt8(port >> 8), UInt8(port & 0xff)], prefix ?? 16)
            }
        case .header(let ref):
            let bits: Int
            do {
                bits = try spec.bits(of: ref, line: key.line)
            } catch {
                throw RunnerError.object(path: spec.name, reason: "its manifest's spec is inconsistent: \(error)")
            }
            let width = (bits + 7) / 8
            let number = value.hasPrefix("0x") ? UInt64(value.dropFirst(2), radix: 16) : UInt64(value)
            guard width <= 8, let number else { throw bad("not a number for a \(bits)-bit field") }
            return ((0..<width).map { UInt8(number >> UInt64(8 * (width - 1 - $0)) & 0xff) }, prefix ?? 8 * width)
        }
    }
}
