import Spec

/// What `mt_packet_settle` reads of a packet's headers, in parts its caller names by mask: the
/// entry program reads the parts the tables' keys name before the tables (`tableKeys`) and the
/// rest after them, so a flow a table filters pays for its key alone.
struct SettleParts: OptionSet {
    let rawValue: Int

    /// The inner tuple and where the transport header starts.
    static let inner = SettleParts(rawValue: 1)
    /// The outer tuple: the inner one copied when no tunnel was entered, so read after it.
    static let outer = SettleParts(rawValue: 2)
    /// The captured header fields.
    static let captured = SettleParts(rawValue: 4)
    static let all: SettleParts = [.inner, .outer, .captured]

    /// The C names of the parts, in the order `mt_packet_settle` reads them.
    static let cNames: [(SettleParts, String)] = [(.inner, "MT_SETTLE_INNER"), (.outer, "MT_SETTLE_OUTER"), (.captured, "MT_SETTLE_CAPTURED")]

    /// The parts one key field is read from.
    static func reading(_ field: PacketField) -> SettleParts {
        switch field {
        case .inner: .inner
        case .outer: [.inner, .outer]
        case .header: .captured
        }
    }

    /// What every table's keys need, read before the tables.
    static func tableKeys(_ tables: [MatchActionTable]) -> SettleParts {
        tables.flatMap(\.keys).reduce(into: []) { $0.formUnion(reading($1.field)) }
    }

    /// `#define`s of each part, of all, and of what the tables need (`MT_SETTLE_TABLE_KEYS`).
    static func emitDefines(tables: [MatchActionTable], into out: inout SourceBuilder) {
        for (part, name) in cNames { out.line("#define \(name) \(part.rawValue)") }
        out.line("#define MT_SETTLE_ALL \(all.rawValue)")
        let keys = tableKeys(tables)
        let named = cNames.filter { keys.contains($0.0) }.map(\.1)
        out.line("/* what the tables' keys name, read before the tables (mt_entry) */")
        out.line("#define MT_SETTLE_TABLE_KEYS \(named.isEmpty ? "0" : "(" + named.joined(separator: " | ") + ")")")
    }
}
