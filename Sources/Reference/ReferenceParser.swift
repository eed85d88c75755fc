import Spec

/// The parser stage: the IR's parser graph run over a frame, as the generated `mt_parse_packet` must.
extension ReferenceInterpreter {
    struct Tuple: Equatable {
        var family: UInt8 = 0
        var proto: UInt8 = 0
        var sport: UInt16 = 0
        var dport: UInt16 = 0
        var saddr = [UInt8](repeating: 0, count: 16)
        var daddr = [UInt8](repeating: 0, count: 16)
    }

    enum CapturedValue {
        case integer(UInt64)
        case bytes([UInt8])
    }

    struct Parsed {
        var inner = Tuple()
        var outer = Tuple()
        var payloadStart = 0
        var payloadEnd = 0
        /// TCP's sequence number and flags, as the kernel reads them at the transport header (`l4_off`).
        var tcpSequence: UInt32 = 0
        var tcpFlags: UInt8 = 0
        var fields: [FieldRef: CapturedValue] = [:]
    }

    /// A field of `header` starting at byte `at` of `frame`, big-endian; nil when out of the frame.
    static func readInteger(_ frame: [UInt8], at: Int, bitOffset: Int, bits: Int) -> UInt64? {
        let first = at + bitOffset / 8
        let last = at + (bitOffset + bits - 1) / 8
        guard first >= 0, last < frame.count, bits >= 1, bits <= 64 else { return nil }
        var value: UInt64 = 0
        var position = bitOffset
        var remaining = bits
        while remaining > 0 {
            let byte = UInt64(frame[at + position / 8])
            let inByte = position % 8
            let take = min(8 - inByte, remaining)
            let piece = (byte >> UInt64(8 - inByte - take)) & ((UInt64(1) << UInt64(take)) - 1)
            value = (value << UInt64(take)) | piece
            position += take
            remaining -= take
        }
        return value
    }

    func field(_ header: HeaderType, _ name: String, frame: [UInt8], at: Int) -> UInt64? {
        guard let bitOffset = header.bitOffset(of: name), let bits = header.field(named: name)?.bits, bits <= 64 else { return nil }
        return Self.readInteger(frame, at: at, bitOffset: bitOffset, bits: bits)
    }

    /// One extracted header on a frame's parser path.
    public struct Layer: Hashable, Sendable {
        public var header: String
        public var state: String
        public var offset: Int
        public var length: Int
    }

    /// The headers the parser extracts from `frame`, in order, as far as it gets (for tools:
    /// minimisers, reports).
    public func layers(frame: [UInt8]) -> [Layer] {
        var layers: [Layer] = []
        _ = parse(frame, layers: &layers)
        return layers
    }

    func parse(_ frame: [UInt8]) -> Result<Parsed, ParseFailure> {
        var layers: [Layer] = []
        return parse(frame, layers: &layers)
    }

    func parse(_ frame: [UInt8], layers: inout [Layer]) -> Result<Parsed, ParseFailure> {
        var parsed = Parsed()
        var offset = 0
        var l3End = 0
        var l4Seen = false
        var tunneled = false
        var instances: [String: Int] = [:]
        var visits: [String: Int] = [:]
        var current = ir.parser.start
        var steps = 0
        while true {
            if current == ParserGraph.accept { break }
            if current == ParserGraph.reject { return .failure(.init("reject")) }
            guard let state = states[current] else { return .failure(.init("unknown state \(current)")) }
            steps += 1
            if steps > 10_000 { return .failure(.init("parser does not terminate")) }
            let count = visits[current, default: 0] + 1
            visits[current] = count
            if let bound = state.maxVisits, count > bound { return .failure(.init("state \(current) visited more than \(bound) times")) }
            for name in state.extracts {
                guard let header = headers[name] else { return .failure(.init("unknown header \(name)")) }
                let fixed = header.fixedBytes
                guard offset + fixed <= frame.count else { return .failure(.init("\(name) at \(offset) runs past the frame")) }
                var length = fixed
                for rule in header.length {
                    guard let value = field(header, rule.field, frame: frame, at: offset) else { return .failure(.init("length field")) }
                    switch rule {
                    case .totalLength(_, let unit):
                        length = Int(value) * unit
                        if length < fixed { return .failure(.init("\(name) length \(length) below its fixed \(fixed)")) }
                    case .extraLength(_, let unit):
                        length += Int(value) * unit
                    case .optional(_, let mask, let bytes):
                        if value & mask != 0 { length += bytes }
                    }
                }
                switch header.role {
                case .network(let source, let destination, let nextProtocol, let lengthField, let includesHeader):
                    var tuple = Tuple()
                    let addressBits = header.field(named: source)?.bits ?? 32
                    let addressBytes = min(16, addressBits / 8)
                    tuple.family = addressBytes == 16 ? 6 : 4
                    if let s = header.bitOffset(of: source), let d = header.bitOffset(of: destination) {
                        for index in 0..<addressBytes {
                            tuple.saddr[index] = frame[offset + s / 8 + index]
                            tuple.daddr[index] = frame[offset + d / 8 + index]
                        }
                    }
                    tuple.proto = UInt8(truncatingIfNeeded: field(header, nextProtocol, frame: frame, at: offset) ?? 0)
                    parsed.inner = tuple
                    let ipLength = Int(field(header, lengthField, frame: frame, at: offset) ?? 0)
                    l3End = offset + ipLength + (includesHeader ? 0 : fixed)
                    l4Seen = false
                case .transport(let sourcePort, let destinationPort):
                    parsed.inner.sport = UInt16(truncatingIfNeeded: field(header, sourcePort, frame: frame, at: offset) ?? 0)
                    parsed.inner.dport = UInt16(truncatingIfNeeded: field(header, destinationPort, frame: frame, at: offset) ?? 0)
                    l4Seen = true
                    parsed.tcpSequence = UInt32(Self.readInteger(frame, at: offset, bitOffset: 32, bits: 32) ?? 0)
                    parsed.tcpFlags = UInt8(Self.readInteger(frame, at: offset, bitOffset: 104, bits: 8) ?? 0)
                case .tunnel, nil:
                    break
                }
                for ref in recordedRefs where ref.header == name {
                    guard let bitOffset = header.bitOffset(of: ref.field), let bits = header.field(named: ref.field)?.bits else { continue }
                    if bits > 64 {
                        let start = offset + bitOffset / 8
                        parsed.fields[ref] = .bytes(Array(frame[start..<(start + bits / 8)]))
                    } else if let value = Self.readInteger(frame, at: offset, bitOffset: bitOffset, bits: bits) {
                        parsed.fields[ref] = .integer(value)
                    }
                }
                instances[name] = offset
                layers.append(Layer(header: name, state: current, offset: offset, length: length))
                offset += length
                if offset > headerStackBytes { return .failure(.init("headers pass \(headerStackBytes) bytes")) }
            }
            if state.tunnel != nil && !tunneled {
                parsed.outer = parsed.inner
                tunneled = true
            }
            switch state.transition {
            case .direct(let next, _):
                current = next
            case .select(let select):
                var keys: [UInt64] = []
                for key in select.keys {
                    guard let header = headers[key.header], let at = instances[key.header],
                          let value = field(header, key.field, frame: frame, at: at)
                    else { return .failure(.init("select key \(key) not extracted")) }
                    keys.append(value)
                }
                current = select.cases.first { selectCase in
                    zip(keys, selectCase.matchers).allSatisfy { $1.matches($0) }
                }?.next ?? select.defaultNext
            }
        }
        guard l4Seen, parsed.inner.proto == 6 else { return .failure(.init("accepted without TCP after the last IP header")) }
        if !tunneled { parsed.outer = parsed.inner }
        guard l3End <= frame.count else { return .failure(.init("IP length ends at \(l3End), past the frame (\(frame.count))")) }
        guard offset <= l3End else { return .failure(.init("headers end at \(offset), past the IP length end \(l3End)")) }
        parsed.payloadStart = offset
        parsed.payloadEnd = l3End
        return .success(parsed)
    }

    struct ParseFailure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
