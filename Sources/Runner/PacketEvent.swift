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
    public var fields = HeaderFields()
    /// Header fields wider than 64 bits (network order), by record label, absent ones omitted.
    public var byteFields: [String: [UInt8]] = [:]
    /// The context headers the kernel found, as it observed them (one per spec slot found).
    public var observedHeaders: [ObservedHeader] = []
    /// The spec's formats, in order, which decide the verdict.
    public var formats: [TraceContextFormat] = []

    /// The context's verdict, computed when asked for: most events are only joined, never printed.
    public var verdict: Verdict { ContextParser(formats: formats).verdict(for: observedHeaders) }

    /// The copied values by lowercase header name, as text (computed when asked for: the join
    /// keys on the headers' bytes, `Joiner.ContextKey`).
    public var contextValues: [String: String] {
        Dictionary(observedHeaders.map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) }, uniquingKeysWith: { first, _ in first })
    }

    public init() {}

    /// With `.segment`: the TCP sequence number of the request's first byte, and the request
    /// offset of the segment its first context line began in (0: the request's first segment).
    public var requestSequence: UInt32?
    public var segmentOffset: UInt32?

    /// The join's sequence number: the request's first byte's with `.segment` (the same at both
    /// points whichever segment held the context), else the packet's `tcp.seqNo`.
    public var sequence: UInt64? { requestSequence.map(UInt64.init) ?? fields["tcp_seqNo"] }
}

/// Header fields by record label, absent optional fields omitted. The labels are the decoder's,
/// shared by every event it decodes, and the values one array: a decode builds no dictionary
/// (with the context values' text, the dictionaries built per event were half of the decode:
/// 1011 → 511 ns per event, meshtrace-bench's runner row).
public struct HeaderFields: Sendable, Sequence {
    private var labels: [String]
    private var values: [UInt64?]

    public init() {
        labels = []
        values = []
    }

    /// Every label of a record, none present yet.
    init(labels: [String]) {
        self.labels = labels
        values = Array(repeating: nil, count: labels.count)
    }

    public subscript(label: String) -> UInt64? {
        get { labels.firstIndex(of: label).flatMap { values[$0] } }
        set {
            if let index = labels.firstIndex(of: label) {
                values[index] = newValue
            } else if newValue != nil {
                labels.append(label)
                values.append(newValue)
            }
        }
    }

    /// The value of the `index`th label (the decoder's order).
    mutating func set(_ value: UInt64, at index: Int) { values[index] = value }

    /// The present fields as (label, value) pairs, in the record's order.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: UInt64)> {
        zip(labels, values).lazy.compactMap { label, value in value.map { (key: label, value: $0) } }.makeIterator()
    }
}

/// Decodes records laid out by `EventLayout`.
public struct EventDecoder: Sendable {
    public let layout: EventLayout
    public let spec: SpecIR

    /// One slot as the decoder reads it, worked out once from the layout: offsets only, so a
    /// step costs nothing to copy (copying the layout's slots per event, their header lists
    /// retained and released, was a fifth of the decode).
    private enum Step: Sendable {
        case timestamp(Int), tracingPoint(Int), direction(Int), ifindex(Int), inner(Int), outer(Int), payloadLength(Int), segment(Int)
        /// the trace-context slot at this offset; its headers are `contextHeaders`
        case context(Int)
        /// a header field: its value's offset and size, its index among `fieldLabels`, and for an
        /// optional field the offset of the byte that says whether the packet had it
        case unsigned(offset: Int, size: Int, field: Int, presence: Int?)
        /// a header field wider than 64 bits, by its index among `byteLabels`
        case bytes(offset: Int, count: Int, label: Int, presence: Int?)
    }

    /// A context header as the decoder reads it: where its length and copied value sit in the
    /// context slot.
    private struct ContextSlot: Sendable {
        var name: String
        var maxValueBytes: Int
        var lengthOffset: Int
        var valueOffset: Int
    }

    private let steps: [Step]
    private let contextHeaders: [ContextSlot]
    private let fieldLabels: [String]
    private let byteLabels: [String]

    public init(spec: SpecIR, layout: EventLayout) {
        self.spec = spec
        self.layout = layout
        var presence: [String: Int] = [:]
        for slot in layout.slots {
            if case (.header, .presence) = (slot.field, slot.kind) { presence[slot.field.label] = slot.offset }
        }
        var steps: [Step] = [], contextHeaders: [ContextSlot] = [], fieldLabels: [String] = [], byteLabels: [String] = []
        for slot in layout.slots {
            switch (slot.field, slot.kind) {
            case (.timestamp, _): steps.append(.timestamp(slot.offset))
            case (.tracingPoint, _): steps.append(.tracingPoint(slot.offset))
            case (.direction, _): steps.append(.direction(slot.offset))
            case (.ifindex, _): steps.append(.ifindex(slot.offset))
            case (.innerFiveTuple, _): steps.append(.inner(slot.offset))
            case (.outerFiveTuple, _): steps.append(.outer(slot.offset))
            case (.payloadLength, _): steps.append(.payloadLength(slot.offset))
            case (.segment, _): steps.append(.segment(slot.offset))
            case (.traceContext, .context(let headers)):
                steps.append(.context(slot.offset))
                var valueOffset = SlotKind.contextValuesOffset(headers)
                for (index, header) in headers.enumerated() {
                    contextHeaders.append(ContextSlot(name: header.name, maxValueBytes: header.maxValueBytes,
                                                      lengthOffset: SlotKind.contextLengthOffset(slot: index), valueOffset: valueOffset))
                    valueOffset += SlotKind.contextValueWidth(header)
                }
            case (.header, .presence):
                break // read by the field's own step
            case (.header, .unsigned(let size)):
                fieldLabels.append(slot.field.label)
                steps.append(.unsigned(offset: slot.offset, size: size, field: fieldLabels.count - 1, presence: presence[slot.field.label]))
            case (.header, .bytes(let count)):
                byteLabels.append(slot.field.label)
                steps.append(.bytes(offset: slot.offset, count: count, label: byteLabels.count - 1, presence: presence[slot.field.label]))
            case (.traceContext, _), (.header, _):
                // The layout gives these fields no other slot kinds (EventLayout.init).
                preconditionFailure("slot \(slot.name) of kind \(slot.kind)")
            }
        }
        self.steps = steps
        self.contextHeaders = contextHeaders
        self.fieldLabels = fieldLabels
        self.byteLabels = byteLabels
    }

    public enum DecodeError: Error {
        case shortRecord(Int, expected: Int)
        /// A context slot marked both past the packet and past the reach, which exclude each other.
        case bothLineEnds(header: String)
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> PacketEvent {
        guard bytes.count >= layout.size else { throw DecodeError.shortRecord(bytes.count, expected: layout.size) }
        /// A little-endian field of the record (the kernel writes host order; nodes are little-endian).
        func unsigned(_ offset: Int, _ size: Int) -> UInt64 {
            switch size {
            case 1: UInt64(bytes[offset])
            case 2: UInt64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
            case 4: UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            case 8: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            default: (0..<size).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
            }
        }
        func present(_ presence: Int?) -> Bool { presence.map { bytes[$0] != 0 } ?? true }
        var event = PacketEvent()
        event.fields = HeaderFields(labels: fieldLabels)
        for step in steps {
            switch step {
            case .timestamp(let offset): event.timestamp = unsigned(offset, 8)
            case .tracingPoint(let offset):
                let index = Int(unsigned(offset, 1))
                event.pointIndex = index
                event.point = index < spec.points.count ? spec.points[index].name : nil
            case .direction(let offset): event.hook = unsigned(offset, 1) == 0 ? .ingress : .egress
            case .ifindex(let offset): event.ifindex = UInt32(unsigned(offset, 4))
            case .inner(let offset): event.inner = tuple(bytes, at: offset)
            case .outer(let offset): event.outer = tuple(bytes, at: offset)
            case .payloadLength(let offset): event.payloadLength = UInt32(unsigned(offset, 4))
            case .context(let offset):
                let mask = { (at: Int) in unsigned(offset + at, 4) }
                let found = mask(SlotKind.foundMaskOffset), cut = mask(SlotKind.cutMaskOffset)
                let repeated = mask(SlotKind.repeatMaskOffset)
                let pastPacket = mask(SlotKind.pastPacketMaskOffset), pastReach = mask(SlotKind.pastReachMaskOffset)
                guard found != 0 else { continue }
                event.observedHeaders.reserveCapacity(found.nonzeroBitCount)
                for (index, header) in contextHeaders.enumerated() {
                    let bit = UInt64(1) << UInt64(index)
                    guard found & bit != 0 else { continue }
                    // The kernel reports the true length; it copied the first min(length, max) bytes.
                    let length = Int(unsigned(offset + header.lengthOffset, 2))
                    let start = offset + header.valueOffset
                    let value = Array(bytes[start..<(start + min(length, header.maxValueBytes))])
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
                }
            case .segment(let offset):
                event.requestSequence = UInt32(unsigned(offset + SlotKind.requestSequenceOffset, 4))
                event.segmentOffset = UInt32(unsigned(offset + SlotKind.segmentOffsetOffset, 4))
            case .unsigned(let offset, let size, let field, let presence):
                if present(presence) { event.fields.set(unsigned(offset, size), at: field) }
            case .bytes(let offset, let count, let label, let presence):
                if present(presence) { event.byteFields[byteLabels[label]] = Array(bytes[offset..<(offset + count)]) }
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
