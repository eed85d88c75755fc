import ObjectModel
import Spec

/// A context value as the kernel reports it (ReferenceValue.swift); a held request keeps the
/// values found in its earlier segments as they were measured there.
typealias HeldValue = ReferenceInterpreter.ObservedValue

/// A request whose header block goes on in the flow's next segment, as `mt_requests` holds it
/// (mt_segments.h): keyed by inner 5-tuple and tracing point.
public struct HeldRequest: Hashable, Sendable {
    var nextSequence: UInt32
    var requestSequence: UInt32
    /// Request bytes before the next segment, and the request offset of the held segment.
    var searched: Int
    var heldOffset: Int
    var segmentOffset: Int
    var values: [HeldValue?]
    var repeated: [Bool]
    /// The held segment's partial last line, when it may be a context or leading line.
    var carry: [UInt8]
    /// The held segment ended with its last line: the next one starts a line.
    var lineStart: Bool
}

/// The held requests of one object (the interpreter's model of `mt_requests`), by flow and point.
public typealias ReferenceRequests = [String: HeldRequest]

extension ReferenceInterpreter {
    static let tcpFIN: UInt8 = 0x01
    static let tcpRST: UInt8 = 0x04

    /// `MT_NAMECOLON_MAX`: the longest "name:" compared.
    var nameColonMax: Int { (contextNames + leadingNames).map { $0.count + 1 }.max() ?? 1 }

    /// `MT_CARRY_BYTES`: the most of a line split across two segments that can matter.
    var carryBytes: Int {
        let valueMax = layout.contextHeaders.map(\.maxValueBytes).max() ?? 1
        return (nameColonMax + leadingWhitespaceMax + valueMax + 1 + 7) / 8 * 8
    }

    /// `MT_STITCH_REACH`: how far a stitched value's line is looked at (more than any maximum).
    var stitchReach: Int { carryBytes - nameColonMax - leadingWhitespaceMax }

    func requestKey(_ parsed: Parsed) -> String {
        "\(parsed.inner.saddr):\(parsed.inner.sport)>\(parsed.inner.daddr):\(parsed.inner.dport)/\(parsed.inner.proto)@\(hook)"
    }

    /// Whether `name` followed by ':' may begin with `partial` (case-insensitively, as the kernel's
    /// name compare: letters fold, other bytes match exactly).
    static func mayBegin(_ partial: ArraySlice<UInt8>, with name: [UInt8]) -> Bool {
        for (index, literal) in (name + [UInt8(ascii: ":")]).enumerated() where index < partial.count {
            let byte = partial[partial.startIndex + index]
            let isLetter = literal >= UInt8(ascii: "a") && literal <= UInt8(ascii: "z")
            if (isLetter ? byte | 0x20 : byte) != literal { return false }
        }
        return true
    }

    /// The held segment's end: the partial last line (the bytes after the last '\n' of its last
    /// `carryBytes`), whether its last line was whole, and whether the search can go on past it
    /// (false: fixed placement, a partial line that can be no context or leading line ends it).
    func partialLine(_ payload: [UInt8]) -> (carry: [UInt8], lineStart: Bool, goesOn: Bool) {
        let tail = payload.suffix(carryBytes)
        guard let last = tail.lastIndex(of: UInt8(ascii: "\n")) else { return ([], false, true) }
        let partial = payload[(last + 1)...]
        if partial.isEmpty { return ([], true, true) }
        if (contextNames + leadingNames).contains(where: { Self.mayBegin(partial, with: $0) }) { return (Array(partial), false, true) }
        return ([], false, placement == .anywhere)
    }

    /// The held request's partial line stitched with the segment's first `carryBytes`, classified
    /// as a line of its own: its value, when it records one, is measured over the held bytes
    /// followed by the segment (to its line's end, `stitchReach` or the segment's end).
    func stitch(_ held: HeldRequest, payload: [UInt8], into result: inout SearchResult, values: inout [HeldValue?]) -> Bool {
        guard !held.carry.isEmpty else { return false }
        let line = held.carry + payload.prefix(carryBytes)
        let before = result.valueStarts
        let done = take(line, line: 0, into: &result)
        for index in values.indices where before[index] == nil {
            if let start = result.valueStarts[index] {
                values[index] = value(held.carry + payload, from: start, max: layout.contextHeaders[index].maxValueBytes,
                                      reach: stitchReach)
            }
        }
        return done
    }
}
