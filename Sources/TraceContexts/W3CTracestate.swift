/// W3C Trace Context Level 1 `tracestate`: a comma-separated list of at most 32 `key=value`
/// members; empty members and optional whitespace around commas are allowed (§3.3.1).
///
/// A tracestate that breaks a rule never invalidates the traceparent: it is dropped with a
/// note, as the W3C suite's strict tests and OpenTelemetry's propagators do.
enum W3CTracestate {
    static let name = "tracestate"
    static let maxMembers = 32
    static let maxValueLength = 256

    /// The members, or why the whole list is dropped. Notes carry what was kept despite a rule.
    static func parse(_ header: ObservedHeader) -> (members: [TraceStateMember]?, notes: [String]) {
        func dropped(_ why: String) -> (members: [TraceStateMember]?, notes: [String]) {
            (nil, ["tracestate dropped: \(why)"])
        }
        guard header.occurrences == 1 else {
            // W3C combines several tracestate headers into one list, but only the first one's
            // bytes reach user space: the combined list is unknown.
            return dropped("more than one tracestate header and only the first is copied")
        }
        if let incompleteness = header.incompleteness { return dropped(incompleteness) }
        var members: [TraceStateMember] = []
        var notes: [String] = []
        var listed = 0
        for rawMember in Bytes.split(header.bytes, on: ",") {
            let member = trimmed(rawMember)
            if member.isEmpty { continue }
            listed += 1
            guard let equals = member.firstIndex(of: UInt8(ascii: "=")) else {
                return dropped("list member '\(Bytes.text(member))' has no '='")
            }
            let key = member[..<equals]
            let value = member[(equals + 1)...]
            guard isValidKey(key) else { return dropped("key '\(Bytes.text(key))' breaks the Level 1 key grammar") }
            guard isValidValue(value) else { return dropped("value '\(Bytes.text(value))' of key '\(Bytes.text(key))' breaks the value grammar") }
            let parsed = TraceStateMember(key: Bytes.text(key), value: Bytes.text(value))
            if members.contains(where: { $0.key == parsed.key }) {
                // The W3C suite (test_tracestate_duplicated_keys) allows keeping or discarding
                // a duplicate; keeping the leftmost keeps the most recent vendor's entry.
                notes.append("tracestate key '\(parsed.key)' repeated: the leftmost member is kept")
                continue
            }
            members.append(parsed)
        }
        guard listed <= maxMembers else { return dropped("\(listed) list members, more than \(maxMembers)") }
        return (members, notes)
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !Bytes.isOWS($0) }), let last = bytes.lastIndex(where: { !Bytes.isOWS($0) }) else { return [] }
        return bytes[first...last]
    }

    /// `simple-key = lcalpha 0*255(keychar)`, or `tenant-id "@" system-id` with
    /// `tenant-id = (lcalpha / DIGIT) 0*240(keychar)` and `system-id = lcalpha 0*13(keychar)`,
    /// keychar being lcalpha, DIGIT, `_`, `-`, `*` and `/`.
    static func isValidKey(_ key: ArraySlice<UInt8>) -> Bool {
        guard let at = key.firstIndex(of: UInt8(ascii: "@")) else {
            return isIdentifier(key, maxLength: 256, firstMayBeDigit: false)
        }
        return isIdentifier(key[..<at], maxLength: 241, firstMayBeDigit: true)
            && isIdentifier(key[(at + 1)...], maxLength: 14, firstMayBeDigit: false)
    }

    static func isIdentifier(_ text: ArraySlice<UInt8>, maxLength: Int, firstMayBeDigit: Bool) -> Bool {
        guard let first = text.first, text.count <= maxLength else { return false }
        guard Bytes.isLowercaseAlpha(first) || (firstMayBeDigit && Bytes.isDigit(first)) else { return false }
        return text.dropFirst().allSatisfy { byte in
            Bytes.isLowercaseAlpha(byte) || Bytes.isDigit(byte) || "_-*/".utf8.contains(byte)
        }
    }

    /// `value = 0*255(chr) nblk-chr`: printable ASCII but `,` and `=`, not ending in a space.
    static func isValidValue(_ value: ArraySlice<UInt8>) -> Bool {
        guard let last = value.last, value.count <= maxValueLength, last != 0x20 else { return false }
        return value.allSatisfy { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "=") }
    }
}
