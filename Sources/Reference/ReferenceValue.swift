/// The L7 stage's last step: each found value's true length and copy, as the kernel's
/// mt_value.h documents them.
extension ReferenceInterpreter {
    /// What the kernel reports of one value: its copy, its length and where its line ends.
    struct ObservedValue: Hashable, Sendable {
        enum LineEnd: Hashable, Sendable { case seen, pastPacket, pastReach }

        var bytes: [UInt8]
        /// From after the leading SP/HTAB to the line's first CR or LF, trailing SP/HTAB excluded;
        /// when no line end was seen, over the bytes that were.
        var length: Int
        var lineEnd: LineEnd
        /// The value is longer than the slot's maximum, so only a prefix was copied.
        var cut: Bool
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// The value of the header whose line's "name:" ends just before `start`: up to
    /// `leadingWhitespaceMax` leading SP/HTAB skipped; its line looked at for `reach` bytes
    /// (never past the payload) for the first CR or LF; up to `leadingWhitespaceMax` trailing SP/HTAB
    /// before it excluded (more stay in the value, as on the leading side); the first
    /// min(length, max) bytes copied.
    func value(_ payload: [UInt8], from start: Int, max: Int, reach: Int) -> ObservedValue {
        var first = start
        while first < payload.count, first - start < leadingWhitespaceMax, Self.isWhitespace(payload[first]) { first += 1 }
        let reachEnd = Swift.min(payload.count, first + reach)
        var end = first
        while end < reachEnd, payload[end] != 0x0d, payload[end] != 0x0a { end += 1 }
        let lineEnd: ObservedValue.LineEnd = end < reachEnd ? .seen : payload.count - first > reach ? .pastReach : .pastPacket
        var last = end
        while last > first, end - last < leadingWhitespaceMax, Self.isWhitespace(payload[last - 1]) { last -= 1 }
        let length = last - first
        return ObservedValue(bytes: Array(payload[first..<(first + Swift.min(length, max))]), length: length, lineEnd: lineEnd, cut: length > max)
    }
}
