import Foundation
import ObjectModel
import Spec
import TraceContexts

/// A 5-tuple as events carry it; the addresses stay bytes until printed.
public struct FiveTuple: Hashable, Sendable, CustomStringConvertible {
    public var family: UInt8
    public var transportProtocol: UInt8
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sourceAddress: IPAddress
    public var destinationAddress: IPAddress

    public init(family: UInt8, transportProtocol: UInt8, sourcePort: UInt16, destinationPort: UInt16,
                sourceAddress: IPAddress, destinationAddress: IPAddress) {
        self.family = family
        self.transportProtocol = transportProtocol
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sourceAddress = sourceAddress
        self.destinationAddress = destinationAddress
    }

    /// From address text; nil when either is not an IPv4 or IPv6 address.
    public init?(family: UInt8, transportProtocol: UInt8, sourcePort: UInt16, destinationPort: UInt16, source: String, destination: String) {
        guard let sourceAddress = IPAddress(source), let destinationAddress = IPAddress(destination) else { return nil }
        self.init(family: family, transportProtocol: transportProtocol, sourcePort: sourcePort, destinationPort: destinationPort,
                  sourceAddress: sourceAddress, destinationAddress: destinationAddress)
    }

    public var source: String { sourceAddress.description }
    public var destination: String { destinationAddress.description }

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

    /// Per slot, worked out once rather than per event: its record label, and for an optional
    /// header field the offset of the byte that says whether the packet had it.
    private let labels: [String]
    private let presenceOffsets: [Int?]
    /// How many header fields and context headers a record can hold: the dictionaries are sized
    /// for them up front (growing them was a third of the decode).
    private let fieldCount: Int
    private let contextCount: Int

    public init(spec: SpecIR, layout: EventLayout) {
        self.spec = spec
        self.layout = layout
        labels = layout.slots.map(\.field.label)
        var presence: [String: Int] = [:]
        for slot in layout.slots {
            if case (.header, .presence) = (slot.field, slot.kind) { presence[slot.field.label] = slot.offset }
        }
        presenceOffsets = layout.slots.map { slot in
            if case .header = slot.field, slot.kind != .presence { return presence[slot.field.label] }
            return nil
        }
        fieldCount = layout.slots.filter { if case .header = $0.field { $0.kind != .presence } else { false } }.count
        contextCount = layout.slots.reduce(0) { if case .context(let headers) = $1.kind { $0 + headers.count } else { $0 } }
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
        event.fields.reserveCapacity(fieldCount)
        event.contextValues.reserveCapacity(contextCount)
        for (index, slot) in layout.slots.enumerated() {
            let present = presenceOffsets[index].map { bytes[$0] != 0 } ?? true
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
                break // read by the field's own slot (presenceOffsets)
            case (.header, .unsigned(let size)):
                if present { event.fields[labels[index]] = unsigned(slot.offset, size) }
            case (.header, .bytes(let count)):
                if present { event.byteFields[labels[index]] = Array(bytes[slot.offset..<(slot.offset + count)]) }
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
        let isIPv6 = family == FiveTupleLayout.ipv6Family
        func port(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        return FiveTuple(
            family: family, transportProtocol: bytes[member(FiveTupleLayout.transportProtocol)],
            sourcePort: port(member(FiveTupleLayout.sourcePort)), destinationPort: port(member(FiveTupleLayout.destinationPort)),
            sourceAddress: IPAddress(bytes, at: member(FiveTupleLayout.sourceAddress), isIPv6: isIPv6),
            destinationAddress: IPAddress(bytes, at: member(FiveTupleLayout.destinationAddress), isIPv6: isIPv6)
        )
    }
}

extension PacketEvent {
    /// The verdict as the runner prints it.
    public var contextFields: VerdictFields { VerdictFields(verdict) }
}
