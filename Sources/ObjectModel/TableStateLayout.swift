/// The value of `mt_table_defaults`, one per match-action table (by its index in the spec): what
/// the generated lookup reads and the runner writes, from this one description.
public enum TableStateLayout {
    /// The C struct's name.
    public static let typeName = "mt_table_state"
    /// 0 = trace, 1 = skip: the action for packets no entry matches.
    public static let defaultActionOffset = 0
    /// 1 while the table holds entries: the runner sets it before a table's first entry goes in
    /// and clears it after its last goes out; at 0 the program does not look the packet up.
    public static let hasEntriesOffset = 1
    /// The table's entry count (little-endian 32 bits), kept by the runner, the tables' only
    /// writer: it bounds the table at its spec's size and says when the last entry went. The
    /// program does not read it.
    public static let entriesOffset = 4
    public static let size = 8

    /// A table's state as the runner reads and writes it.
    public struct Value: Equatable, Sendable {
        public var skip: Bool
        public var hasEntries: Bool
        public var entries: UInt32

        public init(skip: Bool, hasEntries: Bool, entries: UInt32) {
            self.skip = skip
            self.hasEntries = hasEntries
            self.entries = entries
        }

        public init(bytes: [UInt8]) {
            skip = bytes[defaultActionOffset] != 0
            hasEntries = bytes[hasEntriesOffset] != 0
            entries = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[entriesOffset + $1]) << (8 * UInt32($1)) }
        }

        public var bytes: [UInt8] {
            var bytes = [UInt8](repeating: 0, count: size)
            bytes[defaultActionOffset] = skip ? 1 : 0
            bytes[hasEntriesOffset] = hasEntries ? 1 : 0
            for byte in 0..<4 { bytes[entriesOffset + byte] = UInt8(entries >> (8 * UInt32(byte)) & 0xff) }
            return bytes
        }
    }
}
