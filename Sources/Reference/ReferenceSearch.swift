import Spec

/// The L7 stages: HTTP detection, the context search (plain and with the kernel's per-chunk
/// candidate cap) and the value copy.
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

    /// The slot whose "name:" the line at `start` begins with, if any.
    func matchingSlot(_ payload: [UInt8], at start: Int) -> Int? {
        for (slot, name) in contextNames.enumerated() {
            let end = start + name.count
            guard end < payload.count else { continue }
            var equal = true
            for (index, char) in name.enumerated() {
                let byte = payload[start + index]
                let folded = (byte >= 0x41 && byte <= 0x5a) ? byte | 0x20 : byte
                if folded != char { equal = false; break }
            }
            if equal && payload[end] == UInt8(ascii: ":") { return slot }
        }
        return nil
    }

    /// The kernel's candidate filter (a superset of the lines `matchingSlot` matches).
    func passesFilter(_ payload: [UInt8], at start: Int, prefixChars: Int) -> Bool {
        // Bytes past the payload read as zero; a '\n' as the last payload byte reads as '\r'
        // (the kernel rewrites it so that no line starts at the payload end).
        func byte(_ index: Int) -> UInt8 {
            guard index < payload.count else { return 0 }
            return index == payload.count - 1 && payload[index] == 0x0a ? 0x0d : payload[index]
        }
        let c0 = byte(start) | 0x20
        if prefixChars <= 1 {
            return contextNames.contains { ($0[0] | 0x20) == c0 }
        }
        let c1 = byte(start + 1) | 0x20
        return contextNames.contains { name in
            (name[0] | 0x20) == c0 && (name.count > 1 ? (name[1] | 0x20) == c1 : c1 == UInt8(ascii: ":"))
        }
    }

    struct SearchResult {
        var valueStarts: [Int?]
        var droppedChunks = 0
        var truncated = false
    }

    /// The plain semantics: every line start in order.
    func search(_ payload: [UInt8]) -> SearchResult {
        var starts = [Int?](repeating: nil, count: contextNames.count)
        let limit = min(window, payload.count)
        var line = 1
        var ended = false
        while line < limit {
            defer { line += 1 }
            guard payload[line - 1] == UInt8(ascii: "\n") else { continue }
            if Self.isControl(payload[line]) { ended = true; break }
            if let slot = matchingSlot(payload, at: line) {
                if starts[slot] == nil { starts[slot] = line + contextNames[slot].count + 1 }
                if starts.allSatisfy({ $0 != nil }) { ended = true; break }
            } else if placement == .fixed {
                ended = true
                break
            }
        }
        return SearchResult(valueStarts: starts, truncated: !ended && payload.count < window)
    }

    /// The semantics with the kernel's per-chunk candidate cap.
    func search(_ payload: [UInt8], cap: CandidateCap) -> SearchResult {
        var result = SearchResult(valueStarts: [Int?](repeating: nil, count: contextNames.count))
        let chunk = cap.chunkBytes
        var base = 0
        var done = false
        while !done && base < window && base < payload.count {
            let end = min(base + chunk, window, payload.count)
            var candidates: [Int] = []
            var stopped = false
            for line in max(base, 1)..<max(end, max(base, 1)) where payload[line - 1] == UInt8(ascii: "\n") {
                if Self.isControl(payload[line]) { stopped = true; break }
                if passesFilter(payload, at: line, prefixChars: cap.prefixChars) {
                    candidates.append(line)
                } else if placement == .fixed {
                    stopped = true
                    break
                }
            }
            var compared = 0
            for line in candidates {
                if compared == cap.maxCandidates { break }
                compared += 1
                if let slot = matchingSlot(payload, at: line) {
                    if result.valueStarts[slot] == nil { result.valueStarts[slot] = line + contextNames[slot].count + 1 }
                    if result.valueStarts.allSatisfy({ $0 != nil }) { done = true; break }
                } else if placement == .fixed {
                    done = true
                    break
                }
            }
            if !done && candidates.count > cap.maxCandidates { result.droppedChunks += 1 }
            if stopped { done = true }
            base += chunk
        }
        result.truncated = !done && payload.count < window
        return result
    }

    /// The value of the header whose line's "name:" ends just before `start`.
    func value(_ payload: [UInt8], from start: Int, max: Int) -> [UInt8] {
        var index = start
        var skipped = 0
        while index < payload.count, skipped < leadingWhitespaceMax,
              payload[index] == UInt8(ascii: " ") || payload[index] == UInt8(ascii: "\t") {
            index += 1
            skipped += 1
        }
        var value: [UInt8] = []
        while index < payload.count, value.count < max, payload[index] != 0x0d, payload[index] != 0x0a {
            value.append(payload[index])
            index += 1
        }
        return value
    }
}
