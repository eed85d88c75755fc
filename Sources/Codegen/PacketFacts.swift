import ObjectModel
import Spec

/// What the parser keeps of a packet beyond the 5-tuples: the header fields that the record,
/// the tables and the flow maps name. Emits `struct mt_packet`.
struct PacketFacts {
    struct Captured: Hashable {
        var ref: FieldRef
        var bits: Int
        var member: String { "hf_\(CName.sanitize(ref.header))_\(CName.sanitize(ref.field))" }
        var presence: String { "has_\(CName.sanitize(ref.header))_\(CName.sanitize(ref.field))" }
        /// Fields wider than 64 bits are kept as network-order bytes.
        var isBytes: Bool { bits > 64 }
        var cType: String {
            switch bits {
            case ...8: "__u8"
            case ...16: "__u16"
            case ...32: "__u32"
            default: "__u64"
            }
        }
    }

    let captured: [Captured]

    /// Fails when a record field, table key or flow key names a field the IR does not define.
    init(_ ir: SpecIR) throws {
        var refs: [(ref: FieldRef, line: Int?)] = []
        for case .header(let ref, _, let line) in ir.record.fields { refs.append((ref, line)) }
        for table in ir.tables {
            for key in table.keys { if case .header(let ref) = key.field { refs.append((ref, key.line ?? table.line)) } }
        }
        for map in ir.maps {
            switch map.kind {
            case .hash(let keys, _, _), .lru(let keys, _, _):
                for case .header(let ref) in keys { refs.append((ref, map.line)) }
            default: break
            }
        }
        var seen: Set<FieldRef> = []
        captured = try refs.filter { seen.insert($0.ref).inserted }.sorted { $0.ref.description < $1.ref.description }.map {
            Captured(ref: $0.ref, bits: try ir.bits(of: $0.ref, line: $0.line))
        }
    }

    func captured(in header: String) -> [Captured] {
        captured.filter { $0.ref.header == header }
    }

    func emitTypes(into out: inout SourceBuilder) {
        out.line("/* An IP header and the transport header after it; addresses in network order, ports in host order. */")
        out.block("struct mt_tuple", trailer: ";") { out in
            for member in FiveTupleLayout.members { out.line(member.declaration) }
        }
        out.line("_Static_assert(sizeof(struct mt_tuple) == \(FiveTupleLayout.size), \"tuple layout\");")
        out.line()
        out.block("struct mt_packet", trailer: ";") { out in
            out.line("/* The most recent IP/transport headers while parsing; the innermost once accepted. */")
            out.line("struct mt_tuple inner;")
            out.line("/* The outermost ones: set on entering the first tunnel, else equal to inner. */")
            out.line("struct mt_tuple outer;")
            out.line("__u32 l3_end;")
            out.line("/* Where the transport header starts: TCP's sequence number and flags (mt_segments.h). */")
            out.line("__u32 l4_off;")
            out.line("__u8 l4_seen;")
            out.line("__u8 tunneled;")
            for field in captured {
                out.line("__u8 \(field.presence);")
                out.line(field.isBytes ? "__u8 \(field.member)[\(field.bits / 8)];" : "\(field.cType) \(field.member);")
            }
        }
    }
}
