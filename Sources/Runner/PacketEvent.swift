import Foundation
import ObjectModel
import Spec
import TraceContexts

/// A 5-tuple as events carry it.
public struct FiveTuple: Hashable, Sendable, Codable, CustomStringConvertible {
    public var family: UInt8
    public var transportProtocol: UInt8
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var source: String
    public var destination: String

    public init(family: UInt8, transportProtocol: UInt8, sourcePort: UInt16, destinationPort: UInt16, source: String, destination: String) {
        self.family = family
        self.transportProtocol = transportProtocol
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.source = source
        self.destination = destination
    }

    public var description: String { "\(source):\(sourcePort) > \(destination):\(destinationPort) proto \(transportProtocol)" }
}

/// One decoded ring-buffer record.
public struct PacketEvent: Sendable {
    public var timestamp: UInt64?
    public var pointIndex: Int?
    public var point: String?
    public var hook: Hook?
    public var ifindex: UInt32?
    public var inner: FiveTuple?
    public var outer: FiveTuple?
    public var payloadLength: UInt32?
    /// Header fields by record label (`tcp_seqNo`), absent optional fields omitted.
    public var fields: [String: UInt64] = [:]
    /// Header fields wider than 64 bits (network order), by record label, absent ones omitted.
    public var byteFields: [String: [UInt8]] = [:]
    /// The context headers the kernel found, as it observed them (one per spec slot found).
    public var observedHeaders: [ObservedHeader] = []
    /// Their raw values by lowercase header name: what the join keys on.
    public var contextValues: [String: String] = [:]
    /// The spec's formats, in order, which decide the verdict.
    public var formats: [TraceContextFormat] = []

    /// The context's verdict, computed when asked for: most events are only joined, never printed.
    public var verdict: Verdict { ContextParser(formats: formats).verdict(for: observedHeaders) }

    public init() {}

    /// With `.segment`: the TCP sequence number of the request's first byte, and the request
    /// offset of the segment its first context line began in (0: the request's first segment).
    public var requestSequence: UInt32?
    public var segmentOffset: UInt32?

    /// The join's sequence number: the request's first byte's with `.segment` (the same at both
    /// points whichever segment held the context), else the packet's `tcp.seqNo`.
    public var sequence: UInt64? { requestSequence.map(UInt64.init) ?? fields["tcp_seqNo"] }
}

/// Decodes records laid out by `EventLayout`.
public struct EventDecoder: Sendable {
    public let layout: EventLayout
    public let spec: SpecIR

    public init(spec: SpecIR, layout: EventLayout) {
        self.spec = spec
        self.layout = layout
    }

    public enum DecodeError: Error {
        case shortRecord(Int, expected: Int)
        /// A context slot marked both past the packet and past the reach, which exclude each other.
        case bothLineEnds(header: String)
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> PacketEvent {
        guard bytes.count >= layout.size else { throw DecodeError.shortRecord(bytes.count, expected: layout.size) }
        func unsigned(_ offset: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
        }
        var event = PacketEvent()
        var absent: Set<String> = []
        for slot in layout.slots {
            switch (slot.field, slot.kind) {
            case (.timestamp, _): event.timestamp = unsigned(slot.offset, 8)
            case (.tracingPoint, _):
                let index = Int(unsigned(slot.offset, 1))
                event.pointIndex = index
                event.point = index < spec.points.count ? spec.points[index].name : nil
            case (.direction, _): event.hook = unsigned(slot.offset, 1) == 0 ? .ingress : .egress
            case (.ifindex, _): event.ifindex = UInt32(unsigned(slot.offset, 4))
            case (.innerFiveTuple, _): event.inner = tuple(bytes, at: slot.offset)
            case (.outerFiveTuple, _): event.outer = tuple(bytes, at: slot.offset)
            case (.payloadLength, _): event.payloadLength = UInt32(unsigned(slot.offset, 4))
            case (.traceContext, .context(let headers)):
                let mask = { (offset: Int) in unsigned(slot.offset + offset, 4) }
                let found = mask(SlotKind.foundMaskOffset), cut = mask(SlotKind.cutMaskOffset)
                let repeated = mask(SlotKind.repeatMaskOffset)
                let pastPacket = mask(SlotKind.pastPacketMaskOffset), pastReach = mask(SlotKind.pastReachMaskOffset)
                var valueOffset = slot.offset + SlotKind.contextValuesOffset(headers)
                for (index, header) in headers.enumerated() {
                    let bit = UInt64(1) << UInt64(index)
                    if found & bit != 0 {
                        // The kernel reports the true length; it copied the first min(length, max) bytes.
                        let length = Int(unsigned(slot.offset + SlotKind.contextLengthOffset(slot: index), 2))
                        let value = Array(bytes[valueOffset..<(valueOffset + min(length, header.maxValueBytes))])
                        let lineEnd: ObservedHeader.LineEnd
                        switch (pastPacket & bit != 0, pastReach & bit != 0) {
                        case (false, false): lineEnd = .seen
                        case (true, false): lineEnd = .pastPacket
                        case (false, true): lineEnd = .pastReach
                        case (true, true): throw DecodeError.bothLineEnds(header: header.name)
                        }
                        // Of a repeat the kernel knows only that there was one.
                        event.observedHeaders.append(ObservedHeader(name: header.name, bytes: value, length: length, cut: cut & bit != 0,
                                                                    lineEnd: lineEnd, occurrences: repeated & bit != 0 ? 2 : 1))
                        event.contextValues[header.name] = String(decoding: value, as: UTF8.self)
                    }
                    valueOffset += SlotKind.contextValueWidth(header)
                }
            case (.segment, _):
                event.requestSequence = UInt32(unsigned(slot.offset + SlotKind.requestSequenceOffset, 4))
                event.segmentOffset = UInt32(unsigned(slot.offset + SlotKind.segmentOffsetOffset, 4))
            case (.header, .presence):
                if unsigned(slot.offset, 1) == 0 { absent.insert(slot.field.label) }
            case (.header, .unsigned(let size)):
                if !absent.contains(slot.field.label) { event.fields[slot.field.label] = unsigned(slot.offset, size) }
            case (.header, .bytes(let count)):
                if !absent.contains(slot.field.label) { event.byteFields[slot.field.label] = Array(bytes[slot.offset..<(slot.offset + count)]) }
            case (.traceContext, _), (.header, _):
                // The layout gives these fields no other slot kinds (EventLayout.init).
                preconditionFailure("slot \(slot.name) of kind \(slot.kind)")
            }
        }
        event.formats = spec.search.formats
        return event
    }

    private func tuple(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> FiveTuple {
        func member(_ member: FiveTupleLayout.Member) -> Int { offset + member.offset }
        let family = bytes[member(FiveTupleLayout.family)]
        let length = family == FiveTupleLayout.ipv6Family ? 16 : 4
        func address(_ start: Int) -> String {
            let raw = Array(bytes[start..<(start + length)])
            if length == 4 { return raw.map(String.init).joined(separator: ".") }
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(raw[$0]) << 8 | UInt16(raw[$0 + 1]), radix: 16) }.joined(separator: ":")
        }
        func port(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        return FiveTuple(
            family: family, transportProtocol: bytes[member(FiveTupleLayout.transportProtocol)],
            sourcePort: port(member(FiveTupleLayout.sourcePort)), destinationPort: port(member(FiveTupleLayout.destinationPort)),
            source: address(member(FiveTupleLayout.sourceAddress)), destination: address(member(FiveTupleLayout.destinationAddress))
        )
    }
}

extension PacketEvent {
    /// The verdict as the runner prints it.
    public var contextFields: VerdictFields { VerdictFields(verdict) }
}
