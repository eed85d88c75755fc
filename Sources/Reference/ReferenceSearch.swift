import Spec

/// The L7 stages: HTTP detection and the context search (the kernel compares every line a chunk
/// holds, so its chunks are no part of the semantics).
extension ReferenceInterpreter {
    func isHTTP(_ payload: ArraySlice<UInt8>) -> Bool {
        guard payload.count >= 8 else { return false }
        if ir.http.requests {
            for method in ir.http.methods {
                let token = Array(method.utf8) + [UInt8(ascii: " ")]
                if payload.starts(with: token) { return true }
            }
        }
        if ir.http.responses, payload.starts(with: Array("HTTP/1.".utf8)) { return true }
        return false
    }

    /// A line starting with this byte ends the header block (it cannot start a header name):
    /// the blank line's CR or LF, and the other C0 and C1 control bytes, as the templates' mt_scan.h
    /// documents them, `(b & 0x60) == 0`: 0x00–0x1f and 0x80–0x9f. DEL (0x7f) does not end it.
    public static func isControl(_ byte: UInt8) -> Bool {
        byte & 0x60 == 0
    }

    /// What the line at `start` is to the search: a context header's slot, a leading line
    /// (fixed placement: Host, passed over before the context block), or any other line.
    enum LineClass: Equatable {
        case slot(Int)
        case leading
        case other
    }

    /// Whether the line at `start` begins with `name` and ':', ASCII case-insensitively, wholly
    /// inside the payload.
    func begins(_ payload: [UInt8], at start: Int, with name: [UInt8]) -> Bool {
        let end = start + name.count
        guard end < payload.count, payload[end] == UInt8(ascii: ":") else { return false }
        for (index, char) in name.enumerated() {
            let byte = payload[start + index]
            let folded = (byte >= 0x41 && byte <= 0x5a) ? byte | 0x20 : byte
            if folded != char { return false }
        }
        return true
    }

    /// The kernel's compare chain: the context headers in slot order, then the leading lines.
    func lineClass(_ payload: [UInt8], at start: Int) -> LineClass {
        if let slot = contextNames.firstIndex(where: { begins(payload, at: start, with: $0) }) { return .slot(slot) }
        if leadingNames.contains(where: { begins(payload, at: start, with: $0) }) { return .leading }
        return .other
    }

    struct SearchResult {
        var valueStarts: [Int?]
        /// Slots whose header line came again after it was found (among the lines looked at).
        var repeated: [Bool]
        var truncated = false

        init(slots: Int) {
            valueStarts = [Int?](repeating: nil, count: slots)
            repeated = [Bool](repeating: false, count: slots)
        }

        var allFound: Bool { valueStarts.allSatisfy { $0 != nil } }
        var anyFound: Bool { valueStarts.contains { $0 != nil } }
    }

    /// Takes the compared line at `line`: records a first value start or a repeat; true when the
    /// search ends there. Fixed placement ends at the first line that is neither a context header
    /// nor a leading line before any context header; anywhere ends once every header is found.
    func take(_ payload: [UInt8], line: Int, into result: inout SearchResult) -> Bool {
        switch lineClass(payload, at: line) {
        case .slot(let slot):
            if result.valueStarts[slot] == nil {
                result.valueStarts[slot] = line + contextNames[slot].count + 1
            } else {
                result.repeated[slot] = true
            }
            return placement == .anywhere && result.allFound
        case .leading:
            return result.anyFound
        case .other:
            return placement == .fixed
        }
    }

    /// Whether a header line begins at `line`: after a '\n', or at 0 when the payload's first byte
    /// starts one (a held request's segment after a whole line; never a request's first byte).
    func beginsLine(_ payload: [UInt8], at line: Int, lineStart: Bool) -> Bool {
        line == 0 ? lineStart : payload[line - 1] == UInt8(ascii: "\n")
    }

    /// Every line start in order, going on from `result` (a held request's).
    func search(_ payload: [UInt8], from result: SearchResult, lineStart: Bool) -> SearchResult {
        var result = result
        let limit = min(window, payload.count)
        var line = 0
        var ended = false
        while line < limit {
            defer { line += 1 }
            guard beginsLine(payload, at: line, lineStart: lineStart) else { continue }
            if Self.isControl(payload[line]) || take(payload, line: line, into: &result) {
                ended = true
                break
            }
        }
        result.truncated = !ended && payload.count < window
        return result
    }
}
