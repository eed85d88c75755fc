import ObjectModel
import Spec

/// The event record the kernel must write, byte for byte (timestamp zero).
extension ReferenceInterpreter {

    /// The values the kernel copies for `search` from `payload`: a held request's own where it has
    /// one, else from the value start this packet's search recorded.
    func values(_ payload: [UInt8], search: SearchResult, held: [HeldValue?]) -> [HeldValue?] {
        layout.contextHeaders.indices.map { index in
            if let value = held[index] { return value }
            return search.valueStarts[index].map { self.value(payload, from: $0, max: layout.contextHeaders[index].maxValueBytes, reach: lineReach) }
        }
    }

    func event(_ parsed: Parsed, payload: [UInt8], search: SearchResult, values: [HeldValue?], segment: (request: UInt32, offset: Int)) -> [UInt8]? {
        guard values.contains(where: { $0 != nil }) else { return nil }
        var bytes = [UInt8](repeating: 0, count: layout.size)
        func put(_ value: UInt64, at offset: Int, size: Int) {
            for index in 0..<size { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        }
        func put(_ tuple: Tuple, at offset: Int) {
            bytes[offset + FiveTupleLayout.family.offset] = tuple.family
            bytes[offset + FiveTupleLayout.transportProtocol.offset] = tuple.proto
            put(UInt64(tuple.sport), at: offset + FiveTupleLayout.sourcePort.offset, size: FiveTupleLayout.sourcePort.size)
            put(UInt64(tuple.dport), at: offset + FiveTupleLayout.destinationPort.offset, size: FiveTupleLayout.destinationPort.size)
            let source = offset + FiveTupleLayout.sourceAddress.offset, destination = offset + FiveTupleLayout.destinationAddress.offset
            bytes.replaceSubrange(source..<(source + 16), with: tuple.saddr)
            bytes.replaceSubrange(destination..<(destination + 16), with: tuple.daddr)
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
            case .segment:
                put(UInt64(segment.request), at: offset + SlotKind.requestSequenceOffset, size: 4)
                put(UInt64(segment.offset), at: offset + SlotKind.segmentOffsetOffset, size: 4)
            case .traceContext:
                var found: UInt64 = 0, cut: UInt64 = 0, repeated: UInt64 = 0, pastPacket: UInt64 = 0, pastReach: UInt64 = 0
                var valueOffset = offset + SlotKind.contextValuesOffset(layout.contextHeaders)
                for (index, header) in layout.contextHeaders.enumerated() {
                    if let value = values[index] {
                        let bit = UInt64(1) << UInt64(index)
                        found |= bit
                        if value.cut { cut |= bit }
                        if search.repeated[index] { repeated |= bit }
                        switch value.lineEnd {
                        case .seen: break
                        case .pastPacket: pastPacket |= bit
                        case .pastReach: pastReach |= bit
                        }
                        put(UInt64(value.length), at: offset + SlotKind.contextLengthOffset(slot: index), size: 2)
                        bytes.replaceSubrange(valueOffset..<(valueOffset + value.bytes.count), with: value.bytes)
                    }
                    valueOffset += SlotKind.contextValueWidth(header)
                }
                for (mask, maskOffset) in [(found, SlotKind.foundMaskOffset), (cut, SlotKind.cutMaskOffset), (repeated, SlotKind.repeatMaskOffset),
                                           (pastPacket, SlotKind.pastPacketMaskOffset), (pastReach, SlotKind.pastReachMaskOffset)] {
                    put(mask, at: offset + maskOffset, size: 4)
                }
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
