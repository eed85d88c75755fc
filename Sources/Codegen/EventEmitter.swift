import ObjectModel
import Spec

/// Emits `struct mt_event` from the shared `EventLayout` (explicit padding, asserted offsets)
/// and `mt_submit_event`, which fills one ring-buffer record from the scratch state.
struct EventEmitter {
    let layout: EventLayout
    let facts: PacketFacts

    func emitTypes(into out: inout SourceBuilder) {
        let headers = layout.contextHeaders
        // 8-aligned: the values are copied into it a word at a time.
        out.block("struct __attribute__((aligned(8))) mt_context_values", trailer: ";") { out in
            for mask in Self.contextMasks { out.line("__u32 \(mask.name);") }
            out.line("__u16 len[\(max(headers.count, 1))];")
            // Explicit, so mt_submit_event can zero it: ring-buffer records are not zeroed on reserve.
            if contextLengthPadding > 0 { out.line("__u8 _pad[\(contextLengthPadding)];") }
            for (slot, header) in headers.enumerated() {
                out.line("char v\(slot)[\(SlotKind.contextValueWidth(header))]; /* \(header.name), \(header.maxValueBytes) B */")
            }
        }
        for mask in Self.contextMasks {
            out.line("_Static_assert(__builtin_offsetof(struct mt_context_values, \(mask.name)) == \(mask.offset), \"event layout\");")
        }
        out.line("_Static_assert(__builtin_offsetof(struct mt_context_values, len) == \(SlotKind.contextLengthOffset(slot: 0)), \"event layout\");")
        if !headers.isEmpty {
            out.line("_Static_assert(__builtin_offsetof(struct mt_context_values, v0) == \(SlotKind.contextValuesOffset(headers)), \"event layout\");")
        }
        out.line()
        out.block("struct mt_segment_info", trailer: ";") { out in
            out.line("__u32 request_seq;")
            out.line("__u32 offset;")
        }
        out.line()
        out.line("/* The ring-buffer record; the runner decodes it with the same layout (EventLayout). */")
        out.block("struct mt_event", trailer: ";") { out in
            var offset = 0
            for slot in layout.slots {
                if slot.offset > offset {
                    out.line("__u8 _pad\(offset)[\(slot.offset - offset)];")
                }
                out.line(declaration(of: slot))
                offset = slot.offset + slot.kind.size
            }
            if layout.size > offset {
                out.line("__u8 _pad\(offset)[\(layout.size - offset)];")
            }
        }
        out.line("_Static_assert(sizeof(struct mt_event) == \(layout.size), \"event layout\");")
        for slot in layout.slots {
            out.line("_Static_assert(__builtin_offsetof(struct mt_event, \(slot.name)) == \(slot.offset), \"event layout\");")
        }
    }

    /// The masks of `struct mt_context_values`, named as in `struct mt_scratch`, at their layout offsets.
    static let contextMasks: [(name: String, offset: Int)] = [
        ("found_mask", SlotKind.foundMaskOffset), ("cut_mask", SlotKind.cutMaskOffset), ("repeat_mask", SlotKind.repeatMaskOffset),
        ("past_packet_mask", SlotKind.pastPacketMaskOffset), ("past_reach_mask", SlotKind.pastReachMaskOffset),
    ]

    /// Bytes between the lengths and the first value, which starts 8-aligned.
    private var contextLengthPadding: Int {
        let headers = layout.contextHeaders
        return SlotKind.contextValuesOffset(headers) - SlotKind.contextLengthOffset(slot: headers.count)
    }

    /// The gaps between the slots and after the last one, as (offset, length): `_pad<offset>` members.
    private var paddings: [(offset: Int, length: Int)] {
        var gaps: [(Int, Int)] = []
        var offset = 0
        for slot in layout.slots {
            if slot.offset > offset { gaps.append((offset, slot.offset - offset)) }
            offset = slot.offset + slot.kind.size
        }
        if layout.size > offset { gaps.append((offset, layout.size - offset)) }
        return gaps
    }

    private func declaration(of slot: EventLayout.Slot) -> String {
        switch slot.kind {
        case .unsigned(let bytes): "__u\(bytes * 8) \(slot.name);"
        case .bytes(let count): "__u8 \(slot.name)[\(count)];"
        case .presence: "__u8 \(slot.name);"
        case .fiveTuple: "struct mt_tuple \(slot.name);"
        case .context: "struct mt_context_values \(slot.name);"
        case .segment: "struct mt_segment_info \(slot.name);"
        }
    }

    func emitSubmit(into out: inout SourceBuilder, flowMaps: [MapEmitter.FlowMap]) throws {
        out.line("static __always_inline void mt_submit_event(struct __sk_buff *skb, struct mt_scratch *s)")
        try out.block("") { out in
            out.line("struct mt_event *e = bpf_ringbuf_reserve(&\(MapSymbol.events.name), sizeof(struct mt_event), 0);")
            out.block("if (!e)") { out in
                out.line("mt_count(MT_COUNTER_RINGBUF_FULL);")
                out.line("return;")
            }
            out.line("/* Reserved records hold whatever an older record left there: zero every padding byte. */")
            for gap in paddings {
                out.line("__builtin_memset(e->_pad\(gap.offset), 0, \(gap.length));")
            }
            for slot in layout.slots {
                try emitCopy(slot, into: &out)
            }
            out.line("/* The ring's fill is asked at every MT_RINGBUF_QUERY_EVERY-th record of a CPU, not at each (a")
            out.line(" * helper call: ~9 ns of a 270 ns request): the wakeup comes at most that many records late. */")
            out.line("__u64 wake = BPF_RB_NO_WAKEUP;")
            out.block("if (++s->records_unqueried >= MT_RINGBUF_QUERY_EVERY)") { out in
                out.line("s->records_unqueried = 0;")
                out.line("if (bpf_ringbuf_query(&\(MapSymbol.events.name), BPF_RB_AVAIL_DATA) >= MT_RINGBUF_WAKE_BYTES)")
                out.line("    wake = BPF_RB_FORCE_WAKEUP;")
            }
            out.line("bpf_ringbuf_submit(e, wake);")
            out.line("mt_count(MT_COUNTER_EVENTS);")
            for map in flowMaps {
                out.line("mt_flow_update_\(map.cName)(s);")
            }
        }
    }

    private func emitCopy(_ slot: EventLayout.Slot, into out: inout SourceBuilder) throws {
        switch slot.field {
        case .timestamp: out.line("e->timestamp = s->timestamp;")
        case .tracingPoint:
            out.block("") { out in
                out.line("__u32 ifindex = s->ifindex;")
                out.line("__u8 point = MT_UNKNOWN_POINT;")
                out.block("if (ifindex < MT_POINTS_DIRECT)") { out in
                    out.line("const __u8 *direct = bpf_map_lookup_elem(&\(MapSymbol.pointsDirect.name), &ifindex);")
                    out.line("if (direct && *direct)")
                    out.line("    point = *direct - 1;")
                }
                out.block("else") { out in
                    out.line("const __u8 *hashed = bpf_map_lookup_elem(&\(MapSymbol.points.name), &ifindex);")
                    out.line("if (hashed)")
                    out.line("    point = *hashed;")
                }
                out.line("e->tracing_point = point;")
            }
        case .direction: out.line("e->direction = s->direction;")
        case .ifindex: out.line("e->ifindex = s->ifindex;")
        case .innerFiveTuple: out.line("e->inner = s->packet.inner;")
        case .outerFiveTuple: out.line("e->outer = s->packet.outer;")
        case .payloadLength: out.line("e->payload_length = s->payload_end - s->payload_off;")
        case .traceContext:
            for mask in Self.contextMasks { out.line("e->context.\(mask.name) = s->\(mask.name);") }
            if contextLengthPadding > 0 { out.line("__builtin_memset(e->context._pad, 0, \(contextLengthPadding));") }
            for (index, header) in layout.contextHeaders.enumerated() {
                out.line("e->context.len[\(index)] = s->value_len[\(index)];")
                // whole words: the row is zero past the value, up to its maximum rounded to 8 (mt_value.h)
                out.line("__builtin_memcpy(e->context.v\(index), s->value[\(index)], \(SlotKind.contextValueWidth(header)));")
            }
        case .segment:
            out.line("e->segment.request_seq = s->request_seq;")
            out.line("e->segment.offset = s->segment_offset;")
        case .header(let ref, _, let line):
            guard let captured = facts.captured.first(where: { $0.ref == ref }) else {
                throw SpecDiagnostic(line: line, "the record names '\(ref)', which the parser does not capture")
            }
            if case .presence = slot.kind {
                out.line("e->\(slot.name) = s->packet.\(captured.presencePath);")
            } else if captured.isBytes {
                out.line("__builtin_memcpy(e->\(slot.name), s->packet.\(captured.memberPath), \(captured.bits / 8));")
            } else {
                out.line("e->\(slot.name) = s->packet.\(captured.memberPath);")
            }
        }
    }
}
