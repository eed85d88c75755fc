import Reference
import Spec

/// Byte-level mutations of real frames (the third-party captures) and of generated ones.
enum ByteMutator {
    static let interesting: [UInt8] = [0x00, 0x01, 0x04, 0x06, 0x08, 0x09, 0x0a, 0x0d, 0x11, 0x20, 0x2f, 0x3a, 0x40, 0x45, 0x7f, 0x80, 0xff]

    static let snippets: [[UInt8]] = [
        "\r\ntraceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n",
        "\r\nTraceParent:00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n",
        "\r\nx-b3-traceid: 463ac35c9f6413ad\r\nx-b3-spanid: a2fb4a1d1a96d312\r\n",
        "\r\nb3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1\r\n",
        "\r\nuber-trace-id: 4bf92f3577b34da6:a3ce929d0e0e4736:0:1\r\n",
        "\r\nx-request-id: 3f2a1c1e-0000-4000-8000-000000000000\r\n",
        "\r\ntracestate: congo=t61rcWkgMzE\r\n",
        "\r\n\r\n", "\n", "\r", "GET / HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n",
    ].map { Array($0.utf8) }

    static func mutate(_ frame: [UInt8], maxBytes: Int, _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = frame
        for _ in 0..<rng.range(1...4) {
            guard !bytes.isEmpty else { break }
            switch rng.below(9) {
            case 0:
                bytes[rng.below(bytes.count)] ^= UInt8(1) << UInt8(rng.below(8))
            case 1:
                bytes[rng.below(bytes.count)] = rng.pick(interesting)
            case 2:
                bytes = Array(bytes.prefix(rng.range(14...max(14, bytes.count))))
            case 3:
                let start = rng.below(bytes.count)
                bytes.removeSubrange(start..<min(bytes.count, start + rng.range(1...16)))
            case 4:
                bytes.insert(contentsOf: rng.bytes(rng.range(1...8)), at: rng.below(bytes.count + 1))
            case 5, 6, 7:
                // Overwrite (lengths stay right) with context lines, just after a line end when there is one.
                let snippet = rng.pick(snippets)
                let newlines = bytes.indices.filter { bytes[$0] == 0x0a }
                var at = newlines.isEmpty || rng.chance(0.2) ? rng.below(bytes.count) : rng.pick(newlines) - 1
                at = max(0, at)
                for (index, byte) in snippet.enumerated() where at + index < bytes.count { bytes[at + index] = byte }
            default:
                // A 16-bit field (a length, a port) set to something interesting.
                guard bytes.count >= 2 else { break }
                let at = rng.below(bytes.count - 1)
                let value = rng.pick([0, 1, 8, 20, 40, 0x0800, 4789, 6081, 0xffff, rng.below(1 << 16)])
                bytes[at] = UInt8(value >> 8 & 0xff)
                bytes[at + 1] = UInt8(value & 0xff)
            }
        }
        if bytes.count < 14 { bytes += [UInt8](repeating: 0, count: 14 - bytes.count) }
        return Array(bytes.prefix(maxBytes))
    }
}

/// Delta debugging (ddmin) over bytes: the smallest frame found that still fails.
enum Minimizer {
    /// First the payload (after the parsed headers) with the IP length fields kept in step, then
    /// every byte, then bytes zeroed where they need not be anything else.
    static func minimize(_ frame: [UInt8], interpreter: ReferenceInterpreter, minimumBytes: Int = 14, budget: Int = 4000,
                         fails: ([UInt8]) -> Bool) -> [UInt8] {
        var runs = 0
        let layers = interpreter.layers(frame: frame)
        var current = frame
        if let last = layers.last {
            let lengths: [(offset: Int, header: HeaderType, field: String)] = layers.compactMap { layer in
                guard let header = interpreter.ir.header(named: layer.header),
                      case .network(_, _, _, let field, _) = header.role else { return nil }
                return (layer.offset, header, field)
            }
            current = ddmin(current, lower: last.offset + last.length, minimumBytes: minimumBytes, runs: &runs, budget: budget / 2, fails: fails) {
                candidate, removed in
                var fixed = candidate
                for length in lengths {
                    let value = FrameGenerator.get(length.header, length.field, in: fixed, at: length.offset)
                    FrameGenerator.set(length.header, length.field, UInt64(max(0, Int(value) - removed)), in: &fixed, at: length.offset)
                }
                return fixed
            }
        }
        current = ddmin(current, lower: 0, minimumBytes: minimumBytes, runs: &runs, budget: budget, fails: fails) { candidate, _ in candidate }
        for index in current.indices where runs < budget && current[index] != 0 {
            var candidate = current
            candidate[index] = 0
            runs += 1
            if fails(candidate) { current = candidate }
        }
        return current
    }

    static func ddmin(_ input: [UInt8], lower: Int, minimumBytes: Int, runs: inout Int, budget: Int, fails: ([UInt8]) -> Bool,
                      fix: ([UInt8], Int) -> [UInt8]) -> [UInt8] {
        var current = input
        var granularity = 2
        while current.count - lower > 1 && current.count > minimumBytes && runs < budget {
            let span = current.count - lower
            let chunk = max(1, (span + granularity - 1) / granularity)
            var reduced = false
            var start = lower
            while start < current.count && runs < budget {
                var candidate = current
                let end = min(current.count, start + chunk)
                candidate.removeSubrange(start..<end)
                candidate = fix(candidate, end - start)
                runs += 1
                if candidate.count >= minimumBytes && fails(candidate) {
                    current = candidate
                    granularity = max(granularity - 1, 2)
                    reduced = true
                    break
                }
                start += chunk
            }
            if !reduced {
                if chunk == 1 { break }
                granularity = min(span, granularity * 2)
            }
        }
        return current
    }
}
