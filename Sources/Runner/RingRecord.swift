import Foundation
import ObjectModel
import Spec

/// One ring-buffer record as the kernel wrote it, kept undecoded: the join reads its point, time
/// and key in place (`RecordReader`), and only a joined packet that is printed or exported is
/// decoded. A summary run decodes nothing; decoding every event had been 45 % of the runner's
/// work per event (meshtrace-bench's runner row).
public struct RingRecord: Sendable {
    public var bytes: [UInt8]

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = Array(bytes) }
}

/// Reads what the join needs from records laid out by `EventLayout`, at offsets worked out once:
/// where and when the packet was seen, and its key, from the same fields `EventDecoder` decodes
/// (the inner 5-tuple, the sequence number, each found context header's length and copied bytes),
/// compared and hashed as bytes.
public struct RecordReader: Sendable, JoinEvents {
    /// Where the join's sequence number comes from (`PacketEvent.sequence`).
    private enum SequenceSource: Sendable {
        /// the request's first byte's (`.segment`)
        case request(Int)
        /// the `tcp_seqNo` field, with the offset of its presence byte when it is optional
        case field(offset: Int, size: Int, presence: Int?)
    }

    /// A context header's length and copied value in the context slot.
    private struct ContextValue: Sendable {
        var lengthOffset: Int
        var valueOffset: Int
        var maxValueBytes: Int
    }

    public let size: Int
    private let points: [String]
    /// Where and when it was seen: a record without them (a spec without hops) joins nothing;
    /// a spec with hops must have them (RecordChecks).
    private let stampOffsets: (timestamp: Int, tracingPoint: Int, direction: Int)?
    private let inner: Int?
    private let sequence: SequenceSource?
    private let context: Int?
    private let contextValues: [ContextValue]
    /// The most bytes a key's parts can have (`forEachKeyPart`).
    private let maxKeyBytes: Int

    public init(spec: SpecIR, layout: EventLayout) {
        func offset(_ field: RecordField) -> Int? { layout.slots.first { $0.field == field }?.offset }
        size = layout.size
        points = spec.points.map(\.name)
        if let timestamp = offset(.timestamp), let tracingPoint = offset(.tracingPoint), let direction = offset(.direction) {
            stampOffsets = (timestamp, tracingPoint, direction)
        } else {
            stampOffsets = nil
        }
        inner = offset(.innerFiveTuple)
        if let segment = offset(.segment) {
            sequence = .request(segment + SlotKind.requestSequenceOffset)
        } else if let slot = layout.slots.first(where: { $0.field.label == "tcp_seqNo" && $0.kind != .presence }), case .unsigned(let bytes) = slot.kind {
            let presence = layout.slots.first { $0.field.label == "tcp_seqNo" && $0.kind == .presence }?.offset
            sequence = .field(offset: slot.offset, size: bytes, presence: presence)
        } else {
            sequence = nil
        }
        var contextValues: [ContextValue] = []
        context = offset(.traceContext)
        if let slot = layout.slots.first(where: { $0.field == .traceContext }), case .context(let headers) = slot.kind {
            var valueOffset = slot.offset + SlotKind.contextValuesOffset(headers)
            for (index, header) in headers.enumerated() {
                contextValues.append(ContextValue(lengthOffset: slot.offset + SlotKind.contextLengthOffset(slot: index),
                                                  valueOffset: valueOffset, maxValueBytes: header.maxValueBytes))
                valueOffset += SlotKind.contextValueWidth(header)
            }
        }
        self.contextValues = contextValues
        maxKeyBytes = FiveTupleLayout.padding.offset + 2 * 16 + 1 + 8 + 4 + contextValues.reduce(0) { $0 + 2 + $1.maxValueBytes }
    }

    /// The record, or why it is not one: shorter than the layout, or a context header marked both
    /// past the packet and past the reach (`EventDecoder.DecodeError`), checked here so that a
    /// record the join keeps can always be decoded.
    public func record(_ bytes: UnsafeRawBufferPointer) throws -> RingRecord {
        guard bytes.count >= size else { throw EventDecoder.DecodeError.shortRecord(bytes.count, expected: size) }
        if let context {
            let found = Self.u32(bytes, context + SlotKind.foundMaskOffset)
            let both = found & Self.u32(bytes, context + SlotKind.pastPacketMaskOffset) & Self.u32(bytes, context + SlotKind.pastReachMaskOffset)
            if both != 0 { throw EventDecoder.DecodeError.bothLineEnds(header: "slot \(both.trailingZeroBitCount)") }
        }
        return RingRecord(bytes)
    }

    /// Sets where and when a record was seen: a replayed frame's are its capture's.
    public func stamp(_ record: inout RingRecord, timestamp time: UInt64, point: String, hook: Hook) throws {
        guard let (timestamp, tracingPoint, direction) = stampOffsets else {
            throw RunnerError.usage("the spec's record has no .timestamp, .tracingPoint or .direction: a replayed frame's cannot be set")
        }
        guard let index = points.firstIndex(of: point) else { throw RunnerError.usage("the spec has no tracing point \(point)") }
        record.bytes.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: time.littleEndian, toByteOffset: timestamp, as: UInt64.self)
            bytes[tracingPoint] = UInt8(index)
            bytes[direction] = hook == .ingress ? 0 : 1
        }
    }

    public func seen(_ record: RingRecord) -> (end: PointHook, timestamp: UInt64)? {
        guard let (timestamp, tracingPoint, direction) = stampOffsets else { return nil }
        return record.bytes.withUnsafeBytes { bytes in
            let index = Int(bytes[tracingPoint])
            guard index < points.count else { return nil }
            let hook: Hook = bytes[direction] == 0 ? .ingress : .egress
            return (PointHook(point: points[index], hook: hook), UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: timestamp, as: UInt64.self)))
        }
    }

    /// One hash of the key's parts gathered on the stack: a hasher fed part by part took a third
    /// of the join.
    public func keyHash(of record: RingRecord, hop: Int) -> Int {
        var hasher = Hasher()
        hasher.combine(hop)
        record.bytes.withUnsafeBytes { bytes in
            withUnsafeTemporaryAllocation(byteCount: maxKeyBytes, alignment: 8) { key in
                var count = 0
                _ = forEachKeyPart(bytes) { range in
                    key.baseAddress!.advanced(by: count).copyMemory(from: bytes.baseAddress!.advanced(by: range.lowerBound), byteCount: range.count)
                    count += range.count
                    return true
                }
                hasher.combine(bytes: UnsafeRawBufferPointer(start: key.baseAddress!, count: count))
            }
        }
        return hasher.finalize()
    }

    /// Every part of `a`'s key equal to the same bytes of `b`: each part that decides where the
    /// next one lies (the family, the presence byte, the found-mask, a length) comes before it,
    /// so equal parts so far mean the same ranges in both.
    public func sameKey(_ a: RingRecord, _ b: RingRecord) -> Bool {
        a.bytes.withUnsafeBytes { a in
            b.bytes.withUnsafeBytes { b in
                forEachKeyPart(a) { range in memcmp(a.baseAddress! + range.lowerBound, b.baseAddress! + range.lowerBound, range.count) == 0 }
            }
        }
    }

    /// Calls `part` with the key's byte ranges in order while it returns true; returns whether it
    /// always did. The parts: the inner 5-tuple's family, protocol and ports, its addresses (4
    /// bytes each for IPv4), the sequence number (after whether the packet had it), the
    /// found-mask, and each found header's length and copied bytes.
    private func forEachKeyPart(_ bytes: UnsafeRawBufferPointer, _ part: (Range<Int>) -> Bool) -> Bool {
        func span(_ offset: Int, _ count: Int) -> Range<Int> { offset..<(offset + count) }
        if let inner {
            guard part(span(inner, FiveTupleLayout.padding.offset)) else { return false }
            let width = bytes[inner + FiveTupleLayout.family.offset] == FiveTupleLayout.ipv6Family ? 16 : 4
            guard part(span(inner + FiveTupleLayout.sourceAddress.offset, width)),
                  part(span(inner + FiveTupleLayout.destinationAddress.offset, width)) else { return false }
        }
        switch sequence {
        case .request(let offset):
            guard part(span(offset, 4)) else { return false }
        case .field(let offset, let size, let presence?):
            guard part(span(presence, 1)) else { return false }
            if bytes[presence] != 0, !part(span(offset, size)) { return false }
        case .field(let offset, let size, nil):
            guard part(span(offset, size)) else { return false }
        case nil:
            break
        }
        guard let context else { return true }
        guard part(span(context + SlotKind.foundMaskOffset, 4)) else { return false }
        let found = Self.u32(bytes, context + SlotKind.foundMaskOffset)
        for (index, value) in contextValues.enumerated() where found & (1 << UInt32(index)) != 0 {
            let length = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: value.lengthOffset, as: UInt16.self)))
            guard part(span(value.lengthOffset, 2)), part(span(value.valueOffset, min(length, value.maxValueBytes))) else { return false }
        }
        return true
    }

    private static func u32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
