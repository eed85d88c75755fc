import Spec

/// TCP payloads that exercise HTTP detection and the trace-context search: request and status
/// lines (valid and near-valid), context headers of every format (the spec's and others) in any
/// case, with odd whitespace, long, empty and control-byte values, duplicates, CR/LF variants,
/// control-byte lines, bodies that look like headers, and context lines placed at chosen offsets
/// (the window edge, the chunk boundaries).
struct PayloadGenerator {
    let ir: SpecIR
    let window: Int
    let chunkBytes: Int
    let contextNames: [String]
    let otherContextNames: [String]

    init(ir: SpecIR, window: Int, chunkBytes: Int) {
        self.ir = ir
        self.window = window
        self.chunkBytes = chunkBytes
        let ours = ir.search.formats.flatMap(\.headers).map(\.name)
        contextNames = ours
        let all = ["traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags",
                   "b3", "uber-trace-id", "x-request-id"]
        otherContextNames = all.filter { !ours.contains($0) }
    }

    static let fillerNames = [
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Content-Length", "Cookie", "x-forwarded-for", "x-envoy-attempt-count",
        // Names that share a prefix with context names (candidates that must not match).
        "trace", "tracer", "traceparentx", "traceparen", "tracestatex", "x-b3", "x-b3-traceidx", "x-b3-spanidd", "b", "b3x", "b33",
        "uber", "uber-trace", "uber-trace-idd", "x-request", "x", "t", "u", "bb3", "xtraceparent", "x-trace",
    ]

    static let methods = HTTPDetection.allMethods

    mutating func eol(_ rng: inout SeededRandom) -> [UInt8] {
        let roll = rng.below(100)
        if roll < 88 { return [0x0d, 0x0a] }
        if roll < 95 { return [0x0a] }
        if roll < 98 { return [0x0d] }
        return []
    }

    func cased(_ name: String, _ rng: inout SeededRandom) -> [UInt8] {
        let bytes = Array(name.utf8)
        switch rng.below(4) {
        case 0, 1: return bytes
        case 2: return Array(name.uppercased().utf8)
        default:
            return bytes.map { byte in
                let letter = (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a)
                return letter && rng.chance(0.5) ? byte ^ 0x20 : byte
            }
        }
    }

    static let hex = Array("0123456789abcdef".utf8)

    func hexString(_ count: Int, _ rng: inout SeededRandom) -> [UInt8] {
        (0..<count).map { _ in Self.hex[rng.below(16)] }
    }

    /// A value for a context header: well formed for its format, or random of any length.
    func contextValue(_ name: String, _ rng: inout SeededRandom) -> [UInt8] {
        if rng.chance(0.55) {
            switch name {
            case "traceparent": return Array("00-".utf8) + hexString(32, &rng) + [0x2d] + hexString(16, &rng) + Array("-01".utf8)
            case "tracestate": return Array("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7".utf8)
            case "x-b3-traceid": return hexString(rng.chance(0.5) ? 32 : 16, &rng)
            case "x-b3-spanid", "x-b3-parentspanid": return hexString(16, &rng)
            case "x-b3-sampled": return [rng.chance(0.5) ? 0x31 : 0x30]
            case "b3": return hexString(32, &rng) + [0x2d] + hexString(16, &rng) + Array("-1-".utf8) + hexString(16, &rng)
            case "uber-trace-id": return hexString(16, &rng) + [0x3a] + hexString(16, &rng) + Array(":0:1".utf8)
            default: return hexString(36, &rng)
            }
        }
        // Now and then a line around the kernel's reach for its end (SearchTunables.lineReach, 512).
        return randomValue(rng.chance(0.1) ? rng.range(480...620) : rng.small(300), &rng)
    }

    /// A well-formed value with a flaw: cut, extended, upper-case hex, a stray byte.
    func corrupted(_ value: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var value = value
        switch rng.below(4) {
        case 0: value = Array(value.prefix(rng.below(value.count + 1)))
        case 1: value += hexString(rng.range(1...300), &rng)
        case 2: value = value.map { $0 >= 0x61 && $0 <= 0x66 ? $0 - 0x20 : $0 }
        default:
            if !value.isEmpty { value[rng.below(value.count)] = rng.pick([0x00, 0x09, 0x0d, 0x0a, 0x20, 0x7f, 0xff, 0x3a]) }
        }
        return value
    }

    func randomValue(_ count: Int, _ rng: inout SeededRandom) -> [UInt8] {
        let special: [UInt8] = [0x00, 0x09, 0x20, 0x0d, 0x0a, 0x0b, 0x1f, 0x3a, 0x7f, 0x80, 0x9f, 0xff]
        return (0..<count).map { _ in
            let roll = rng.below(100)
            if roll < 90 { return UInt8(rng.range(0x21...0x7e)) }
            if roll < 95 { return 0x20 }
            return rng.pick(special)
        }
    }

    func whitespace(_ rng: inout SeededRandom) -> [UInt8] {
        let roll = rng.below(100)
        if roll < 65 { return [0x20] }
        if roll < 80 { return [] }
        return (0..<rng.range(1...20)).map { _ in rng.chance(0.7) ? 0x20 : 0x09 }
    }

    /// One header line (without its line end).
    mutating func headerLine(context: Bool, _ rng: inout SeededRandom) -> [UInt8] {
        if rng.chance(0.03) {
            // A line starting with a control byte, DEL or a high byte.
            let first = rng.pick([UInt8(0x00), 0x01, 0x09, 0x0b, 0x1f, 0x20, 0x7f, 0x80, 0x9f, 0xa0, 0xff])
            return [first] + (context ? Array(rng.pick(contextNames).utf8) : Array("x".utf8)) + Array(": v".utf8)
        }
        var name: [UInt8]
        var value: [UInt8]
        if context {
            let label = rng.chance(0.85) || otherContextNames.isEmpty ? rng.pick(contextNames) : rng.pick(otherContextNames)
            name = cased(label, &rng)
            value = contextValue(label, &rng)
            if rng.chance(0.15) { value = corrupted(value, &rng) }
        } else {
            name = cased(rng.pick(Self.fillerNames), &rng)
            value = randomValue(rng.small(80), &rng)
        }
        var separator: [UInt8] = [0x3a]
        let roll = rng.below(100)
        if roll < 3 { separator = [0x20, 0x3a] }  // "name :" is not the header
        else if roll < 5 { separator = [] }  // no colon at all
        // Trailing whitespace is no part of the value, also past the header's maximum.
        return name + separator + whitespace(&rng) + value + (rng.chance(0.2) ? whitespace(&rng) : [])
    }

    /// Filler lines of exactly `length` bytes in all, CRLFs included (length >= 4), whose names
    /// no context name starts with.
    func filler(length: Int) -> [UInt8] {
        var out: [UInt8] = []
        var left = length
        while left > 0 {
            let line = left > 150 ? min(left - 4, 120) : left
            out += Array("h:".utf8) + [UInt8](repeating: 0x71, count: line - 4) + [0x0d, 0x0a]
            left -= line
        }
        return out
    }

    /// The payload, at most `budget` bytes (may be shorter than 8, or not HTTP at all).
    mutating func payload(budget: Int, _ rng: inout SeededRandom) -> [UInt8] {
        guard budget > 0 else { return [] }
        var out: [UInt8] = []
        let kind = rng.below(100)
        if kind < 3 {
            return rng.bytes(rng.small(min(budget, 400)))
        } else if kind < 78 {
            out += Array(rng.pick(ir.http.methods).utf8) + [0x20]
        } else if kind < 84 {
            out += Array(rng.pick(Self.methods).utf8) + [0x20]
        } else if kind < 88 {
            out += rng.pick([Array("GETX ".utf8), Array("get ".utf8), Array("GET".utf8), Array("POST\t".utf8), Array("PUTT ".utf8)])
        } else if kind < 96 {
            out += Array("HTTP/1.\(rng.below(2)) 200 OK".utf8)
        } else {
            out += Array("HTTP/2 200".utf8)
        }
        if kind < 88 {
            out += [0x2f] + randomValue(rng.small(60), &rng).filter { $0 != 0x0a && $0 != 0x0d } + Array(" HTTP/1.1".utf8)
        }
        out += eol(&rng)
        var lines: [[UInt8]] = []
        // Dense: a block of mostly very short lines that pass the candidate filter, hundreds in a
        // window (a chunk holds as many as its bytes allow), with context lines among them.
        let dense = rng.chance(0.06)
        let count = dense ? rng.range(40...400) : rng.chance(0.15) ? rng.range(10...80) : rng.small(14)
        let contextsFirst = rng.chance(0.5)
        for index in 0..<count {
            let context = contextsFirst && index < 3 ? rng.chance(0.9) : rng.chance(dense ? 0.03 : 0.3)
            if !context && rng.chance(dense ? 0.95 : 0.1) {
                // Short lines that pass the candidate filter (one character, the first and third,
                // the first three: SearchPlan.candidateFilters) or nearly: stress the per-chunk compare.
                let start = rng.pick(["t", "x", "b", "u", "tr", "x-", "b3", "ub", "x-b", "tra", "ube", "x-b3-", "trace", "hos"])
                lines.append(cased(start, &rng) + randomValue(rng.small(6), &rng).filter { $0 != 0x0a })
            } else {
                lines.append(headerLine(context: context, &rng))
            }
            if context, rng.chance(0.08) { lines.append(lines[lines.count - 1]) }  // a duplicate
        }
        // Optionally put one context line at an exact payload offset.
        var target: Int? = nil
        if rng.chance(0.4) {
            let roll = rng.below(3)
            if roll == 0 {
                target = window + rng.range(-3...2)
            } else if roll == 1 {
                let boundaries = max(1, min(window, budget) / max(chunkBytes, 1))
                target = chunkBytes * rng.range(1...boundaries) + rng.range(-16...2)
            } else {
                target = rng.range(20...max(20, min(budget - 1, window + 64)))
            }
        }
        for line in lines {
            if let wanted = target {
                let room = wanted - out.count
                if room == 0 || room >= 4 {
                    if room > 0 { out += filler(length: room) }
                    out += headerLine(context: true, &rng) + eol(&rng)
                    target = nil
                } else if room < 0 {
                    target = nil
                }
            }
            out += line + eol(&rng)
            if out.count >= budget { break }
        }
        if rng.chance(0.8) {
            out += rng.chance(0.9) ? [0x0d, 0x0a] : [0x0a]
            if rng.chance(0.3) {
                // A body that looks like more headers: never searched.
                out += headerLine(context: true, &rng) + [0x0d, 0x0a] + rng.bytes(rng.small(100))
            }
        }
        if rng.chance(0.1) { out = Array(out.prefix(rng.below(out.count + 1))) }
        return Array(out.prefix(budget))
    }
}
