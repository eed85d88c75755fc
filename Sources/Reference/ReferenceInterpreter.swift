import ObjectModel
import Spec

/// A reference interpreter of the spec IR: what event (if any) one frame should produce at one
/// tracing point, computed in Swift from the IR's documented meaning (docs/dsl.md, the IR's doc
/// comments, the search semantics of the templates' mt_scan.h and mt_candidate.h comments), independently of
/// the C emitter and the templates. Differential tests compare its events with the kernel's,
/// byte for byte (the timestamp masked, see `maskedRanges`).
///
/// The search's tunables (leading-whitespace limit, line reach, header-stack bound) come from the object's manifest, where the generator recorded what it emitted into the C.
///
/// Semantics, in pipeline order:
/// * Parser: from `start`, each state extracts its headers in order. A header's fixed part must
///   lie inside the frame; its length comes from its length rules (`totalLength` replaces it and
///   must be at least the fixed part, `extraLength` adds, `optional` parts add in rule order);
///   the offset after a header may not pass `headerStackBytes`. A `.network` header starts a new
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
///   first occurrence, and a later one marks the header repeated; `.anywhere` ends the search once
///   every context header is found (a repeat after that is not seen). Under `.fixed`, a leading
///   line (`host:`) before any context header is passed over; any other line, or a leading line
///   after a context header, ends the search (the block's end; so repeats inside it are seen).
///   `.anywhere` skips other lines. Values (ReferenceValue.swift): up to 16 leading SP/HTAB
///   skipped; the length runs to the first CR or LF within `lineReach` bytes and the payload,
///   up to 16 trailing SP/HTAB excluded; a line with no end there is past the packet (the payload
///   ended first) or past the reach; the copy is the first min(length, `maxValueBytes`) bytes,
///   cut when the length is longer.
///   An event is emitted iff at least one context header was found.
public struct ReferenceInterpreter: Sendable {
    /// Where a frame's processing stopped, as the kernel counters count it.
    public enum Outcome: Equatable, Sendable {
        case notAccepted(String)
        case filtered
        case notHTTP
        case noContext
        case event
        /// The payload ended before the header block did: the request goes on in the next segment.
        case held
    }

    public struct Evaluation: Sendable {
        public var outcome: Outcome
        /// The event bytes (timestamp zero).
        public var event: [UInt8]?
        /// The payload ended inside the window before the search ended (MT_COUNTER_TRUNCATED).
        public var truncated = false
        /// It went on with a held request (MT_COUNTER_SEGMENTS_RESUMED).
        public var resumed = false
        /// The held request it dropped (closed or a gap), as the kernel counts it.
        public var dropped: KernelCounter?
        /// Only meaningful for accepted packets: the payload's offset and length in the frame.
        public var payloadOffset = 0
        public var payloadLength = 0
    }

    public let manifest: ObjectManifest
    public let ir: SpecIR
    public let layout: EventLayout
    public let window: Int
    public let placement: Placement
    /// Leading SP/HTAB skipped before a value (and trailing SP/HTAB left out of its length).
    public let leadingWhitespaceMax: Int
    /// Bytes of a value's line, from its first byte, looked at for the line's end.
    public let lineReach: Int
    /// No header stack of a traced packet ends deeper than this many bytes.
    public let headerStackBytes: Int
    public let tracingPoint: UInt8
    public let hook: Hook
    public let ifindex: UInt32
    let headers: [String: HeaderType]
    let states: [String: ParserState]
    let contextNames: [[UInt8]]
    /// Fixed placement: lines passed over before the context block (`SearchTunables.leadingLines`).
    let leadingNames: [[UInt8]]
    let recordedRefs: Set<FieldRef>

    /// The object `manifest` describes (its spec, window, placement and tunables), seen at one
    /// tracing point and hook: `tracingPoint` is the index the kernel's points map holds for the
    /// interface (test runs: the loopback device, `ifindex` 1). Fails on an inconsistent spec.
    public init(manifest: ObjectManifest, tracingPoint: Int = 0, hook: Hook = .ingress, ifindex: UInt32 = 1) throws {
        let ir = manifest.spec
        self.manifest = manifest
        self.ir = ir
        self.layout = try EventLayout(ir)
        self.window = manifest.plan.window
        self.placement = manifest.plan.placement
        let tunables = manifest.tunables
        self.leadingWhitespaceMax = tunables.leadingWhitespaceMax
        self.lineReach = tunables.lineReach
        self.headerStackBytes = tunables.headerStackBytes
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
        self.leadingNames = tunables.leadingLines.map { Array($0.lowercased().utf8) }
        var refs: Set<FieldRef> = []
        for case .header(let ref, _, _) in ir.record.fields { refs.insert(ref) }
        self.recordedRefs = refs
    }

    /// The same interpreter at another hook.
    public func at(_ hook: Hook) throws -> ReferenceInterpreter {
        try ReferenceInterpreter(manifest: manifest, tracingPoint: Int(tracingPoint), hook: hook, ifindex: ifindex)
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

    /// `frame` on its own: no request held before it (one it holds is forgotten).
    public func evaluate(frame: [UInt8]) -> Evaluation {
        var requests = ReferenceRequests()
        return evaluate(frame: frame, requests: &requests)
    }

    /// `frame` after the frames that left `requests` held, which it may go on with (mt_segments.h):
    /// a held request's next segment (its flow and point, the expected seq, some payload, no
    /// request's start) carries on with the search; an RST with payload, or any other seq, drops it. A
    /// packet whose search ends in its payload before the blank line, inside the window, without
    /// FIN or RST, is held instead of making an event (`.held`). The model has no clock: the
    /// kernel's timeout is left to tests that wait.
    public func evaluate(frame: [UInt8], requests: inout ReferenceRequests) -> Evaluation {
        let parsed: Parsed
        switch parse(frame) {
        case .failure(let failure): return Evaluation(outcome: .notAccepted(failure.reason))
        case .success(let result): parsed = result
        }
        var evaluation = Evaluation(outcome: .event)
        evaluation.payloadOffset = parsed.payloadStart
        evaluation.payloadLength = parsed.payloadEnd - parsed.payloadStart
        // The kernel checks HTTP before the tables (the cheaper check first).
        let payload = Array(frame[parsed.payloadStart..<parsed.payloadEnd])
        let key = requestKey(parsed)
        var held: HeldRequest?
        if !isHTTP(payload[...]) {
            // No request's start: a TCP segment with payload may go on with a held request (the
            // kernel looks only then, after HTTP detection, before the tables: the request passed
            // them at its first segment). An RST drops it, another seq is a gap; a bare FIN or RST
            // is not looked at.
            guard ir.record.followsSplitRequests, !payload.isEmpty, let request = requests[key] else {
                evaluation.outcome = .notHTTP
                return evaluation
            }
            let closes = parsed.tcpFlags & Self.tcpRST != 0
            if closes || parsed.tcpSequence != request.nextSequence {
                requests[key] = nil
                evaluation.dropped = closes ? .requestsClosed : .requestsGap
                evaluation.outcome = .notHTTP
                return evaluation
            }
            held = request
        } else if ir.tables.contains(where: { $0.defaultAction == .skip }) {
            evaluation.outcome = .filtered
            return evaluation
        }
        evaluation.resumed = held != nil
        var start = SearchResult(slots: contextNames.count)
        var values = [HeldValue?](repeating: nil, count: contextNames.count)
        var segment = (request: parsed.tcpSequence, offset: 0)
        var requestOffset = 0
        var stitchEnded = false
        if let held {
            requestOffset = held.searched
            segment = (held.requestSequence, held.segmentOffset)
            values = held.values
            start.valueStarts = held.values.map { $0.map { _ in 0 } }
            start.repeated = held.repeated
            let before = values.contains { $0 != nil }
            stitchEnded = stitch(held, payload: payload, into: &start, values: &values)
            if !before && values.contains(where: { $0 != nil }) { segment.offset = held.heldOffset }
        }
        let lineStart = held?.lineStart ?? false
        var result = stitchEnded ? start : search(payload, from: start, lineStart: lineStart)
        evaluation.truncated = result.truncated
        // Held: the request goes on in the flow's next segment.
        let end = partialLine(payload)
        if ir.record.followsSplitRequests && result.truncated && parsed.tcpFlags & (Self.tcpFIN | Self.tcpRST) == 0 && requestOffset + payload.count < window && end.goesOn {
            // A partial line left to the next segment is not taken from this one.
            let partialStart = payload.count - end.carry.count
            for index in values.indices where values[index] == nil && !end.carry.isEmpty {
                if let at = result.valueStarts[index], at > partialStart { result.valueStarts[index] = nil }
            }
            let taken = self.values(payload, search: result, held: values)
            let found = values.contains { $0 != nil } || result.valueStarts.contains { $0 != nil }
            requests[key] = HeldRequest(
                nextSequence: parsed.tcpSequence &+ UInt32(payload.count), requestSequence: segment.request,
                searched: requestOffset + payload.count, heldOffset: requestOffset,
                segmentOffset: found && !values.contains(where: { $0 != nil }) ? requestOffset : segment.offset,
                values: taken, repeated: result.repeated, carry: end.carry, lineStart: end.lineStart)
            evaluation.outcome = .held
            return evaluation
        }
        if held != nil { requests[key] = nil }
        if !values.contains(where: { $0 != nil }) { segment.offset = requestOffset }
        evaluation.event = event(parsed, payload: payload, search: result,
                                 values: self.values(payload, search: result, held: values), segment: segment)
        if evaluation.event == nil { evaluation.outcome = .noContext }
        return evaluation
    }
}
