/// The value of `mt_table_defaults`, one per match-action table (by its index in the spec): what
/// the generated lookup reads and the runner writes, from this one description.
public enum TableStateLayout {
    /// The C struct's name.
    public static let typeName = "mt_table_state"
    /// 0 = trace, 1 = skip: the action for packets no entry matches.
    public static let defaultActionOffset = 0
    /// 1 while the table may hold entries: the runner sets it before a table's first entry goes in
    /// and clears it after its last goes out; at 0 the program does not look the packet up.
    public static let hasEntriesOffset = 1
    public static let size = 2

    /// The value's bytes.
    public static func value(skip: Bool, hasEntries: Bool) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        bytes[defaultActionOffset] = skip ? 1 : 0
        bytes[hasEntriesOffset] = hasEntries ? 1 : 0
        return bytes
    }
}
