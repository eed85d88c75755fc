import Spec

/// A reference interpreter of the spec IR: what event (if any) one frame should produce at one
/// tracing point, computed in Swift from the IR's documented meaning (docs/dsl.md, the IR's doc
/// comments, the search semantics of templates/mt_search.h's header comment), independently of
/// the C emitter and the templates. Differential tests compare its events with the kernel's,
/// byte for byte (the timestamp masked, see `maskedRanges`).
///
/// Semantics, in pipeline order:
/// * Parser: from `start`, each state extracts its headers in order. A header's fixed part must
///   lie inside the frame; its length comes from its length rules (`totalLength` replaces it and
///   must be at least the fixed part, `extraLength` adds, `optional` parts add in rule order);
///   the offset after a header may not pass `maxHeaderBytes`. A `.network` header starts a new
///   5-tuple (addresses, protocol, ports zero) and sets `l3_end`; a `.transport` header sets the
///   ports. The first `EnterTunnel` state snapshots the 5-tuple (after its extracts) as outer.
///   Selects read the most recent instance of each key's header; the first matching case wins,
///   no match goes to the default (reject unless given). A state with `maxVisits` rejects the
///   packet on its (maxVisits+1)-th visit. `accept` needs a transport header after the last
///   network header and protocol 6, `l3_end` inside the frame and not before the payload start;
///   the payload is [offset, l3_end).
/// * Tables: empty (as in test runs), so each table's default action decides.
/// * HTTP: at least 8 payload bytes, starting with "METHOD " for one of the spec's methods
///   (requests) or "HTTP/1." (responses).
/// * Search: header lines are the lines that begin (after a '\n') at payload offsets 1 ..< min(window,
///   payload length). In line order: a line whose first byte is a control byte ends the search
///   (the blank line: `ReferenceInterpreter.isControl`); a line "name:" (ASCII case-insensitive,
///   wholly inside the payload) of a context header records the value start of that header's
///   first occurrence; any other line ends the search under `.fixed` placement and is skipped
///   under `.anywhere`. Values: up to 16 leading SP/HTAB skipped, then bytes up to the first CR
///   or LF, at most the header's `maxValueBytes`, never past the payload end.
///   An event is emitted iff at least one context header was found.
public struct ReferenceInterpreter: Sendable {
    /// No header stack of a traced packet goes deeper than this many bytes.
    public static let maxHeaderBytes = 1024
    /// Leading SP/HTAB skipped before a value.
    public static let maxLeadingWhitespace = 16

    /// The kernel's documented limitation (templates/mt_search.h, MT_MAX_CANDIDATES): each chunk of
    /// `chunkBytes` line starts compares at most `maxCandidates` candidate lines in full, where a
    /// candidate is a line whose first `prefixChars` characters pass the kernel's cheap filter;
    /// lines past the cap are not compared (MT_COUNTER_CANDIDATES_DROPPED). Modelled only when given.
    public struct CandidateCap: Hashable, Sendable {
        public var chunkBytes: Int
        public var maxCandidates: Int
        /// 1: the first character of some name (case-folded by OR 0x20); 2: the first two characters
        /// of one name (the second of a one-character name being ':').
        public var prefixChars: Int

        public init(chunkBytes: Int, maxCandidates: Int, prefixChars: Int) {
            self.chunkBytes = chunkBytes
            self.maxCandidates = maxCandidates
            self.prefixChars = prefixChars
        }

        /// The templates' defaults for a profile (MT_MAX_CANDIDATES, MT_PREFIX_CHARS).
        public static func kernelDefault(profile: LoopProfile, chunkBytes: Int, placement: Placement, slots: Int) -> CandidateCap {
            let all = chunkBytes / 2 + 1
            switch profile {
            case .unrolled:
                return CandidateCap(chunkBytes: chunkBytes, maxCandidates: placement == .anywhere ? 8 : slots + 1, prefixChars: 1)
            case .loops:
                return CandidateCap(chunkBytes: chunkBytes, maxCandidates: min(all, 64), prefixChars: 2)
            case .bpfLoop:
                return CandidateCap(chunkBytes: chunkBytes, maxCandidates: all, prefixChars: 2)
            }
        }
    }

    /// Where a frame's processing stopped, as the kernel counters count it.
    public enum Outcome: Equatable, Sendable {
        case notAccepted(String)
        case filtered
        case notHTTP
        case noContext
        case event
    }

    public struct Evaluation: Sendable {
        public var outcome: Outcome
        /// The event bytes (timestamp zero), the candidate cap applied when one is modelled.
        public var event: [UInt8]?
        /// The event by the plain semantics, without any candidate cap.
        public var semanticEvent: [UInt8]?
        /// Chunks in which the modelled cap left candidates uncompared.
        public var droppedChunks = 0
        /// The payload ended inside the window before the search ended (MT_COUNTER_TRUNCATED).
        public var truncated = false
        /// Only meaningful for accepted packets: the payload's offset and length in the frame.
        public var payloadOffset = 0
        public var payloadLength = 0
    }

    public let ir: SpecIR
    public let layout: EventLayout
    public let window: Int
    public let placement: Placement
    public let candidateCap: CandidateCap?
    public let tracingPoint: UInt8
    public let hook: Hook
    public let ifindex: UInt32
    private let headers: [String: HeaderType]
    private let states: [String: ParserState]
    private let contextNames: [[UInt8]]
    private let recordedRefs: Set<FieldRef>

    /// `window` and `placement` default to the spec's; `tracingPoint` is the index the kernel's
    /// `mt_points` map holds for the interface (test runs: the loopback device, `ifindex` 1).
    public init(ir: SpecIR, window: Int? = nil, placement: Placement? = nil, candidateCap: CandidateCap? = nil,
                tracingPoint: Int = 0, hook: Hook = .ingress, ifindex: UInt32 = 1) {
        var ir = ir
        if let window { ir.search.bytes = window }
        if let placement { ir.search.placement = placement }
        self.ir = ir
        self.layout = EventLayout(ir)
        self.window = ir.search.bytes
        self.placement = ir.search.placement
        self.candidateCap = candidateCap
        self.tracingPoint = UInt8(truncatingIfNeeded: tracingPoint)
        self.hook = hook
        self.ifindex = ifindex
        var headers: [String: HeaderType] = [:]
        for header in ir.headers where headers[header.name] == nil { headers[header.name] = header }
        self.headers = headers
        var states: [String: ParserState] = [:]
        for state in ir.parser.states where states[state.name] == nil { states[state.name] = state }
        self.states = states
        self.contextNames = layout.contextHeaders.map { Array($0.name.lowercased().utf8) }
        var refs: Set<FieldRef> = []
        for case .header(let ref, _, _) in ir.record.fields { refs.insert(ref) }
        self.recordedRefs = refs
    }

    /// The same interpreter at another hook.
    public func at(_ hook: Hook) -> ReferenceInterpreter {
        ReferenceInterpreter(ir: ir, candidateCap: candidateCap, tracingPoint: Int(tracingPoint), hook: hook, ifindex: ifindex)
    }

    /// The exact event bytes `frame` should produce (timestamp zero), or nil for no event.
    public func expectedEvent(frame: [UInt8]) -> [UInt8]? {
        evaluate(frame: frame).event
    }

    /// Byte ranges of the event that the kernel fills with values the interpreter cannot know:
    /// the timestamp (`bpf_ktime_get_ns()`).
    public var maskedRanges: [Range<Int>] {
        layout.slots.compactMap { slot in
            if case .timestamp = slot.field { return slot.offset..<(slot.offset + 8) }
            return nil
        }
    }

    /// `event` with the masked ranges zeroed.
    public func masked(_ event: [UInt8]) -> [UInt8] {
        var event = event
        for range in maskedRanges {
            for index in range where index < event.count { event[index] = 0 }
        }
        return event
    }

    // MARK: - Parser

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
                if offset > Self.maxHeaderBytes { return .failure(.init("headers pass \(Self.maxHeaderBytes) bytes")) }
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

    // MARK: - L7

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
    /// the blank line's CR or LF, and the other C0 and C1 control bytes, as templates/mt_search.h
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
        while index < payload.count, skipped < Self.maxLeadingWhitespace,
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

    // MARK: - Evaluation

    public func evaluate(frame: [UInt8]) -> Evaluation {
        let parsed: Parsed
        switch parse(frame) {
        case .failure(let failure): return Evaluation(outcome: .notAccepted(failure.reason))
        case .success(let result): parsed = result
        }
        var evaluation = Evaluation(outcome: .event)
        evaluation.payloadOffset = parsed.payloadStart
        evaluation.payloadLength = parsed.payloadEnd - parsed.payloadStart
        if ir.tables.contains(where: { $0.defaultAction == .skip }) {
            evaluation.outcome = .filtered
            return evaluation
        }
        let payload = Array(frame[parsed.payloadStart..<parsed.payloadEnd])
        guard isHTTP(payload[...]) else {
            evaluation.outcome = .notHTTP
            return evaluation
        }
        let semantic = search(payload)
        let modelled = candidateCap.map { search(payload, cap: $0) } ?? semantic
        evaluation.droppedChunks = modelled.droppedChunks
        evaluation.truncated = modelled.truncated
        evaluation.semanticEvent = event(parsed, payload: payload, search: semantic)
        evaluation.event = event(parsed, payload: payload, search: modelled)
        if evaluation.event == nil { evaluation.outcome = .noContext }
        return evaluation
    }

    func event(_ parsed: Parsed, payload: [UInt8], search: SearchResult) -> [UInt8]? {
        guard search.valueStarts.contains(where: { $0 != nil }) else { return nil }
        var bytes = [UInt8](repeating: 0, count: layout.size)
        func put(_ value: UInt64, at offset: Int, size: Int) {
            for index in 0..<size { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        }
        func put(_ tuple: Tuple, at offset: Int) {
            bytes[offset] = tuple.family
            bytes[offset + 1] = tuple.proto
            put(UInt64(tuple.sport), at: offset + 2, size: 2)
            put(UInt64(tuple.dport), at: offset + 4, size: 2)
            bytes.replaceSubrange((offset + 8)..<(offset + 24), with: tuple.saddr)
            bytes.replaceSubrange((offset + 24)..<(offset + 40), with: tuple.daddr)
        }
        for slot in layout.slots {
            let offset = slot.offset
            switch slot.field {
            case .timestamp: break
            case .tracingPoint: bytes[offset] = tracingPoint
            case .direction: bytes[offset] = hook == .ingress ? 0 : 1
            case .ifindex: put(UInt64(ifindex), at: offset, size: 4)
            case .innerFiveTuple: put(parsed.inner, at: offset)
            case .outerFiveTuple: put(parsed.outer, at: offset)
            case .payloadLength: put(UInt64(payload.count), at: offset, size: 4)
            case .traceContext:
                var mask: UInt64 = 0
                var valueOffset = offset + SlotKind.contextValuesOffset(layout.contextHeaders)
                for (index, header) in layout.contextHeaders.enumerated() {
                    if let start = search.valueStarts[index] {
                        mask |= 1 << UInt64(index)
                        let value = value(payload, from: start, max: header.maxValueBytes)
                        put(UInt64(value.count), at: offset + 4 + 2 * index, size: 2)
                        bytes.replaceSubrange(valueOffset..<(valueOffset + value.count), with: value)
                    }
                    valueOffset += header.maxValueBytes
                }
                put(mask, at: offset, size: 4)
            case .header(let ref, _, _):
                let captured = parsed.fields[ref]
                switch slot.kind {
                case .presence:
                    bytes[offset] = captured == nil ? 0 : 1
                case .unsigned(let size):
                    if case .integer(let value)? = captured { put(value, at: offset, size: size) }
                case .bytes(let count):
                    if case .bytes(let value)? = captured { bytes.replaceSubrange(offset..<(offset + count), with: value.prefix(count)) }
                default:
                    break
                }
            }
        }
        return bytes
    }
}
