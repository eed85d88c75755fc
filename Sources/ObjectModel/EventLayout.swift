import Spec

/// The byte layout of the event record, derived from the IR alone so that the code generator
/// (which writes the C struct), the runner (which decodes events) and the reference interpreter
/// (which predicts them) cannot disagree.
/// Fields keep record order, each at its natural alignment; the record is padded to 8 bytes.
public struct EventLayout: Hashable, Sendable {
    public struct Slot: Hashable, Sendable {
        /// The C member name.
        public var name: String
        public var field: RecordField
        public var kind: SlotKind
        public var offset: Int
    }

    public var slots: [Slot]
    public var size: Int
    /// The context headers carried by `.traceContext`, in slot order.
    public var contextHeaders: [ContextHeader]

    /// Fails when the record names a field the IR does not define (an unvalidated IR).
    public init(_ ir: SpecIR) throws {
        contextHeaders = ir.search.formats.flatMap(\.headers)
        var slots: [Slot] = []
        var offset = 0
        func place(_ name: String, _ field: RecordField, _ kind: SlotKind) {
            offset = (offset + kind.alignment - 1) / kind.alignment * kind.alignment
            slots.append(Slot(name: name, field: field, kind: kind, offset: offset))
            offset += kind.size
        }
        for field in ir.record.fields {
            switch field {
            case .timestamp: place("timestamp", field, .unsigned(bytes: 8))
            case .tracingPoint: place("tracing_point", field, .unsigned(bytes: 1))
            case .direction: place("direction", field, .unsigned(bytes: 1))
            case .ifindex: place("ifindex", field, .unsigned(bytes: 4))
            case .innerFiveTuple: place("inner", field, .fiveTuple)
            case .outerFiveTuple: place("outer", field, .fiveTuple)
            case .payloadLength: place("payload_length", field, .unsigned(bytes: 4))
            case .traceContext: place("context", field, .context(headers: contextHeaders))
            case .segment: place("segment", field, .segment)
            case .header(let ref, let optional, let line):
                let bits = try ir.bits(of: ref, line: line)
                if optional { place("has_\(field.label)", field, .presence) }
                place(field.label, field, SlotKind.forField(bits: bits))
            }
        }
        self.slots = slots
        self.size = (offset + 7) / 8 * 8
    }
}

public enum SlotKind: Hashable, Sendable {
    /// A host-order unsigned integer of 1, 2, 4 or 8 bytes.
    case unsigned(bytes: Int)
    /// A field wider than 64 bits, network order.
    case bytes(Int)
    /// 1 when the optional field that follows was present on the packet's path.
    case presence
    /// `struct mt_tuple`: family, protocol, ports, then 16-byte source and destination addresses.
    case fiveTuple
    /// `struct mt_context_values`: the found, cut, repeat, past-packet and past-reach masks, each
    /// slot's true value length, then each slot's value bytes.
    case context(headers: [ContextHeader])
    /// `struct mt_segment_info`: u32 sequence number of the request's first byte, then u32 request
    /// offset of the segment the first context line began in.
    case segment

    public static func forField(bits: Int) -> SlotKind {
        switch bits {
        case ...8: .unsigned(bytes: 1)
        case ...16: .unsigned(bytes: 2)
        case ...32: .unsigned(bytes: 4)
        case ...64: .unsigned(bytes: 8)
        default: .bytes((bits + 7) / 8)
        }
    }

    public var size: Int {
        switch self {
        case .unsigned(let bytes): bytes
        case .bytes(let count): count
        case .presence: 1
        case .segment: 8
        case .fiveTuple: FiveTupleLayout.size
        case .context(let headers):
            Self.contextValuesOffset(headers) + headers.reduce(0) { $0 + Self.contextValueWidth($1) }
        }
    }

    public var alignment: Int {
        switch self {
        case .unsigned(let bytes): bytes
        case .bytes, .presence: 1
        case .fiveTuple: FiveTupleLayout.alignment
        case .segment: 4
        // its values are 8-aligned words, copied a word at a time
        case .context: 8
        }
    }

    /// In `struct mt_segment_info`.
    public static let requestSequenceOffset = 0
    public static let segmentOffsetOffset = 4

    /// In `struct mt_context_values`, u32 masks, a bit per slot: found; cut (the value is longer than
    /// the slot's maximum, so only a prefix was copied); repeat (the header's line came again);
    /// past packet (the payload ends before the value's line does: the length counts the bytes up to
    /// the packet's end); past reach (no line end within `SearchTunables.lineReach` bytes of the
    /// value's start: the length counts those). Past packet and past reach exclude each other; with
    /// neither, the kernel saw the line's end and the length is exact.
    public static let foundMaskOffset = 0
    public static let cutMaskOffset = 4
    public static let repeatMaskOffset = 8
    public static let pastPacketMaskOffset = 12
    public static let pastReachMaskOffset = 16

    /// Then a u16 per slot: the value's true length, from after the leading optional whitespace
    /// to the line's end, trailing optional whitespace excluded (up to the tunables' whitespace
    /// limit on either side). The bytes copied are the first min(length, maximum) of it.
    public static func contextLengthOffset(slot: Int) -> Int {
        20 + 2 * slot
    }

    /// Then, from the next multiple of 8, the values, each slot's maximum rounded up to 8 wide
    /// (zeros past the copied bytes).
    public static func contextValuesOffset(_ headers: [ContextHeader]) -> Int {
        (contextLengthOffset(slot: headers.count) + 7) / 8 * 8
    }

    public static func contextValueWidth(_ header: ContextHeader) -> Int {
        (header.maxValueBytes + 7) / 8 * 8
    }
}
