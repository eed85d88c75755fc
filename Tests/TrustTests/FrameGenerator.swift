import Runner
import Spec

/// Structured random frames drawn from a spec's parser graph: a walk from the start state that
/// builds each extracted header (random fields, option lengths within the length rules, role
/// fields that make sense), picks transitions and writes the select keys that take them
/// (sometimes the default, sometimes past a maxVisits bound), adds a payload, fixes the IP
/// lengths, and then mutates: wrong lengths, truncation at header boundaries, trailers, flips.
struct FrameGenerator {
    let ir: SpecIR
    let headers: [String: HeaderType]
    let states: [String: ParserState]
    var payloads: PayloadGenerator

    init(ir: SpecIR, window: Int, chunkBytes: Int) {
        self.ir = ir
        var headers: [String: HeaderType] = [:]
        for header in ir.headers { headers[header.name] = header }
        self.headers = headers
        var states: [String: ParserState] = [:]
        for state in ir.parser.states { states[state.name] = state }
        self.states = states
        payloads = PayloadGenerator(ir: ir, window: window, chunkBytes: chunkBytes)
    }

    struct Instance {
        var header: HeaderType
        var offset: Int
        var length: Int
    }

    static func write(_ value: UInt64, into bytes: inout [UInt8], at: Int, bitOffset: Int, bits: Int) {
        var remaining = bits
        var position = bitOffset
        while remaining > 0 {
            let inByte = position % 8
            let take = min(8 - inByte, remaining)
            let piece = UInt8(truncatingIfNeeded: (value >> UInt64(remaining - take)) & ((1 << UInt64(take)) - 1))
            let shift = 8 - inByte - take
            let mask = UInt8(truncatingIfNeeded: ((1 << take) - 1) << shift)
            let index = at + position / 8
            bytes[index] = (bytes[index] & ~mask) | (piece << UInt8(shift))
            position += take
            remaining -= take
        }
    }

    static func set(_ header: HeaderType, _ field: String, _ value: UInt64, in bytes: inout [UInt8], at: Int) {
        guard let bitOffset = header.bitOffset(of: field), let bits = header.field(named: field)?.bits, bits <= 64 else { return }
        let masked = bits == 64 ? value : value & ((1 << UInt64(bits)) - 1)
        write(masked, into: &bytes, at: at, bitOffset: bitOffset, bits: bits)
    }

    static func get(_ header: HeaderType, _ field: String, in bytes: [UInt8], at: Int) -> UInt64 {
        guard let bitOffset = header.bitOffset(of: field), let bits = header.field(named: field)?.bits, bits <= 64 else { return 0 }
        var value: UInt64 = 0
        for bit in 0..<bits {
            let position = bitOffset + bit
            value = value << 1 | UInt64(bytes[at + position / 8] >> UInt8(7 - position % 8) & 1)
        }
        return value
    }

    static func maxValue(_ header: HeaderType, _ field: String) -> UInt64 {
        let bits = header.field(named: field)?.bits ?? 8
        return bits >= 64 ? .max : (1 << UInt64(bits)) - 1
    }

    static let ports = [80, 443, 4789, 6081, 8080, 9080, 53, 0, 65535]

    /// Appends one header instance.
    func appendHeader(_ header: HeaderType, to bytes: inout [UInt8], _ rng: inout SeededRandom) -> Instance {
        let offset = bytes.count
        let fixed = header.fixedBytes
        bytes += rng.bytes(fixed)
        // Role fields first, so length rules (which may share fields) win.
        switch header.role {
        case .network(let source, _, _, _, _):
            let v6 = (header.field(named: source)?.bits ?? 32) == 128
            if header.field(named: "version") != nil { Self.set(header, "version", v6 ? 6 : 4, in: &bytes, at: offset) }
        case .transport(let sourcePort, let destinationPort):
            if rng.chance(0.5) { Self.set(header, sourcePort, UInt64(rng.pick(Self.ports)), in: &bytes, at: offset) }
            if rng.chance(0.5) { Self.set(header, destinationPort, UInt64(rng.pick(Self.ports)), in: &bytes, at: offset) }
        default:
            break
        }
        var length = fixed
        for rule in header.length {
            let maximum = Self.maxValue(header, rule.field)
            switch rule {
            case .totalLength(let field, let unit):
                let minimum = UInt64((fixed + unit - 1) / unit)
                var value = minimum
                if rng.chance(0.25), maximum > minimum { value = minimum + UInt64(rng.range(1...Int(min(maximum - minimum, 12)))) }
                if rng.chance(0.03) { value = UInt64(rng.below(Int(min(maximum, 4096)) + 1)) }
                Self.set(header, field, value, in: &bytes, at: offset)
                length = Int(value) * unit
            case .extraLength(let field, let unit):
                var value: UInt64 = 0
                if rng.chance(0.4) { value = UInt64(rng.below(Int(min(maximum, 20)) + 1)) }
                Self.set(header, field, value, in: &bytes, at: offset)
                length += Int(value) * unit
            case .optional(let field, let mask, let extra):
                if rng.chance(0.5) { Self.set(header, field, Self.get(header, field, in: bytes, at: offset) & ~mask, in: &bytes, at: offset) }
                if Self.get(header, field, in: bytes, at: offset) & mask != 0 { length += extra }
            }
        }
        if length > fixed { bytes += rng.bytes(length - fixed) }
        return Instance(header: header, offset: offset, length: max(length, fixed))
    }

    /// A value the matcher accepts, for a key of `bits`.
    static func satisfying(_ matcher: Matcher, bits: Int, _ rng: inout SeededRandom) -> UInt64 {
        let limit: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
        switch matcher {
        case .exact(let value): return value
        case .mask(let value, let mask): return (rng.next() & ~mask & limit) | (value & mask)
        case .range(let lower, let upper):
            let span = upper &- lower
            return span == .max ? rng.next() : lower + rng.next() % (span + 1)
        case .any: return rng.next() & limit
        }
    }

    struct Built {
        var bytes: [UInt8]
        var instances: [Instance]
        var accepted: Bool
    }

    /// The headers of one walk and the terminal it reached.
    func walk(_ rng: inout SeededRandom) -> Built {
        var bytes: [UInt8] = []
        var instances: [Instance] = []
        var latest: [String: Int] = [:]
        var visits: [String: Int] = [:]
        var current = ir.parser.start
        var steps = 0
        while !ParserGraph.isTerminal(current), steps < 48, let state = states[current] {
            steps += 1
            visits[current, default: 0] += 1
            for name in state.extracts {
                guard let header = headers[name] else { continue }
                latest[name] = instances.count
                instances.append(appendHeader(header, to: &bytes, &rng))
            }
            switch state.transition {
            case .direct(let next, _):
                current = next
            case .select(let select):
                // Choices: each case, then the default.
                let options = select.cases.map(\.next) + [select.defaultNext]
                func overBound(_ next: String) -> Bool {
                    guard let bound = states[next]?.maxVisits else { return false }
                    return visits[next, default: 0] >= bound
                }
                var choice = rng.below(options.count)
                if !rng.chance(0.12) {
                    let good = options.indices.filter { options[$0] != ParserGraph.reject && !overBound(options[$0]) }
                    if !good.isEmpty && (!good.contains(choice) || rng.chance(0.3)) { choice = rng.pick(good) }
                }
                for (index, key) in select.keys.enumerated() {
                    guard let at = latest[key.header], let header = headers[key.header] else { continue }
                    let bits = header.field(named: key.field)?.bits ?? 8
                    let value = choice < select.cases.count
                        ? Self.satisfying(select.cases[choice].matchers[index], bits: bits, &rng)
                        : rng.next() & (bits >= 64 ? .max : (1 << UInt64(bits)) - 1)
                    Self.set(header, key.field, value, in: &bytes, at: instances[at].offset)
                }
                current = options[choice]
            }
        }
        return Built(bytes: bytes, instances: instances, accepted: current == ParserGraph.accept)
    }

    /// One frame, at most `maxBytes` long.
    mutating func frame(maxBytes: Int, _ rng: inout SeededRandom) -> [UInt8] {
        var built = walk(&rng)
        var bytes = built.bytes
        if bytes.count > maxBytes - 8 { bytes = Array(bytes.prefix(maxBytes - 8)) }
        let trailer = rng.chance(0.15) ? rng.bytes(rng.range(1...40)) : []
        let budget = maxBytes - bytes.count - trailer.count
        if built.accepted || rng.chance(0.3) {
            bytes += payloads.payload(budget: budget, &rng)
        } else {
            bytes += rng.bytes(rng.small(min(budget, 200)))
        }
        // IP and UDP lengths: what follows each header, unless mutated.
        let end = bytes.count
        for instance in built.instances where instance.offset + instance.header.fixedBytes <= bytes.count {
            let header = instance.header
            switch header.role {
            case .network(_, _, _, let lengthField, let includesHeader):
                var value = end - instance.offset - (includesHeader ? 0 : header.fixedBytes)
                if rng.chance(0.08) {
                    value = rng.chance(0.5) ? value + rng.range(-12...12) : rng.below(Int(Self.maxValue(header, lengthField)) + 1)
                }
                Self.set(header, lengthField, UInt64(max(0, value)), in: &bytes, at: instance.offset)
            case .transport:
                if header.field(named: "length") != nil {
                    Self.set(header, "length", UInt64(end - instance.offset), in: &bytes, at: instance.offset)
                }
            default:
                break
            }
        }
        bytes += trailer
        // Mutations of the structure.
        if rng.chance(0.06), !built.instances.isEmpty {
            // Truncated at a header boundary, give or take a few bytes.
            let instance = rng.pick(built.instances)
            let cut = instance.offset + rng.pick([0, instance.header.fixedBytes, instance.length]) + rng.range(-2...2)
            bytes = Array(bytes.prefix(max(14, cut)))
        }
        if rng.chance(0.05), !built.instances.isEmpty {
            // A length-rule field (IHL, data offset, option length, flags) set at random.
            let instance = rng.pick(built.instances)
            if let rule = instance.header.length.first, instance.offset + instance.header.fixedBytes <= bytes.count {
                Self.set(instance.header, rule.field, rng.next(), in: &bytes, at: instance.offset)
            }
        }
        if rng.chance(0.04) {
            for _ in 0..<rng.range(1...3) where !bytes.isEmpty {
                let headerEnd = built.instances.last.map { $0.offset + $0.length } ?? bytes.count
                bytes[rng.below(max(1, min(bytes.count, headerEnd)))] ^= UInt8(1) << UInt8(rng.below(8))
            }
        }
        built.bytes = bytes
        if bytes.count < 14 { bytes += [UInt8](repeating: 0, count: 14 - bytes.count) }
        return Array(bytes.prefix(maxBytes))
    }
}
