/// One context header as the kernel reports it for one event: the first occurrence's value
/// bytes (at most the spec's `maxValueBytes` of them), how long that value really is, whether the
/// kernel saw its line end, and how often the header occurred in the request's header block.
///
/// The value is the field value of RFC 9110 §5.5: it starts after the colon and any optional
/// whitespace (SP, HTAB) and ends before the line's CRLF, trailing optional whitespace excluded.
/// `length` counts exactly those bytes, so `traceparent: 00-…-01 \t` has length 55.
public struct ObservedHeader: Hashable, Sendable {
    /// Where the kernel saw the value's line end, which says whether `length` is exact.
    public enum LineEnd: Hashable, Sendable {
        /// The line ends in the packet, within the kernel's reach: `length` is exact.
        case seen
        /// The payload ends before the line does (the request goes on in a later segment, or the
        /// packet was cut): `length` counts the value's bytes up to the packet's end.
        case pastPacket
        /// The line goes on past the bytes the kernel looks at for its end (`SearchTunables.lineReach`
        /// from the value's start): `length` counts the value's bytes among them.
        case pastReach
    }

    /// Lowercase: header names match case-insensitively.
    public var name: String
    /// The copied bytes: a prefix of the value, the whole value when it was not cut. Kept as
    /// bytes: a byte that is not UTF-8 must fail the grammar as itself, not as U+FFFD.
    public var bytes: [UInt8]
    /// The value's true length in bytes: exact when the line's end was seen, else a lower bound.
    public var length: Int
    /// The kernel's own flag: the value was longer than what it copied.
    public var cut: Bool
    public var lineEnd: LineEnd
    /// How many lines of the header block carry this header; 0 means absent.
    public var occurrences: Int

    public init(name: String, bytes: [UInt8], length: Int, cut: Bool, lineEnd: LineEnd = .seen, occurrences: Int) {
        self.name = name
        self.bytes = bytes
        self.length = length
        self.cut = cut
        self.lineEnd = lineEnd
        self.occurrences = occurrences
    }

    public init(name: String, value: String, length: Int, cut: Bool, lineEnd: LineEnd = .seen, occurrences: Int) {
        self.init(name: name, bytes: Array(value.utf8), length: length, cut: cut, lineEnd: lineEnd, occurrences: occurrences)
    }

    /// The length for messages: a lower bound when the line's end was not seen.
    var lengthText: String { lineEnd == .seen ? "\(length)" : "at least \(length)" }

    /// The copied bytes as text, for messages and opaque values.
    public var value: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether only a prefix of the value was copied. The length is trusted over the flag
    /// alone: a record whose length exceeds its bytes is cut whatever the flag says.
    var isCut: Bool { cut || length > bytes.count }

    /// What keeps the copy from being the whole value, for messages; nil when it is whole.
    var incompleteness: String? {
        switch lineEnd {
        case .pastPacket: return "value is \(lengthText) bytes and its line goes on past the packet's end"
        case .pastReach: return "value is \(lengthText) bytes and its line goes on past the bytes the kernel looks at for its end"
        case .seen: return isCut ? "value is \(length) bytes but only \(bytes.count) were copied" : nil
        }
    }

    /// A record the kernel cannot have produced: more bytes copied than the value has.
    var inconsistency: InvalidReason? {
        bytes.count > length
            ? InvalidReason(header: name, problem: "record has \(bytes.count) copied bytes but a length of \(length)")
            : nil
    }

    /// Why a value that must be read whole cannot be: too long for any valid value of the
    /// header (definite, whatever was copied), cut short, or its line's end not seen.
    func wholeValueProblem(longestValid: Int) -> InvalidReason? {
        if length > longestValid {
            return InvalidReason(header: name, problem: "value is \(lengthText) bytes, longer than the \(longestValid) of its longest valid form")
        }
        return incompleteness.map { InvalidReason(header: name, problem: "\($0), so it cannot be checked whole") }
    }
}
