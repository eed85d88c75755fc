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
        /// The value and its presence flag as members of `struct mt_packet`.
        var memberPath: String { "\(PacketFacts.capturedGroup).\(member)" }
        var presencePath: String { "\(PacketFacts.capturedGroup).\(presence)" }
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
    /// The headers that hold captured fields, by name: the parser notes where each was found.
    let capturedHeaders: [String]
    /// The headers with a network or transport role, in spec order: their tuples are read at
    /// settle time from where the parser found them.
    let tupleHeaders: [HeaderType]
    /// The member of `struct mt_packet` that holds the captured fields: mt_packet_settle zeroes
    /// it whole before it reads them, so a header the parser did not reach reads as absent.
    static let capturedGroup = "captured"

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
        capturedHeaders = Array(Set(captured.map(\.ref.header))).sorted()
        tupleHeaders = ir.headers.filter {
            switch $0.role {
            case .network, .transport: true
            case .tunnel, nil: false
            }
        }
    }

    func captured(in header: String) -> [Captured] {
        captured.filter { $0.ref.header == header }
    }

    /// `MT_HEADER_IPV4`: how `struct mt_found_headers` says which header type a tuple comes from.
    static func headerTypeName(_ header: String) -> String { "MT_HEADER_\(CName.sanitize(header).uppercased())" }
    static let noHeaderType = "MT_HEADER_NONE"
    /// The members of `struct mt_found_headers` for a header that holds captured fields.
    static func foundOffset(_ header: String) -> String { "at_\(CName.sanitize(header))" }
    static func foundFlag(_ header: String) -> String { "seen_\(CName.sanitize(header))" }

    func emitTypes(into out: inout SourceBuilder) {
        out.line("/* An IP header and the transport header after it; addresses in network order, ports in host order.")
        out.line(" * 8-aligned, so that it is zeroed and copied a word at a time (its members alone would make it")
        out.line(" * 2-aligned: twenty 2-byte stores to zero it). */")
        out.block("struct mt_tuple", trailer: " __attribute__((aligned(\(FiveTupleLayout.alignment))));") { out in
            for member in FiveTupleLayout.members { out.line(member.declaration) }
        }
        out.line("_Static_assert(sizeof(struct mt_tuple) == \(FiveTupleLayout.size), \"tuple layout\");")
        out.line()
        out.line("/* The header types a tuple can be read from. */")
        out.block("enum mt_header_type", trailer: ";") { out in
            out.line("\(Self.noHeaderType) = 0,")
            for (index, header) in tupleHeaders.enumerated() { out.line("\(Self.headerTypeName(header.name)) = \(index + 1),") }
        }
        out.line()
        out.line("/* Where mt_parse_packet found the headers that mt_packet_settle reads, on the stack of the")
        out.line(" * entry program: a packet that is not a request's start is never copied out of (an ACK's")
        out.line(" * tuples and fields would be stores made for nothing). Offsets are from the frame's start. */")
        out.block("struct mt_found_headers", trailer: ";") { out in
            out.line("/* the most recent IP header and the transport header after it (\(Self.noHeaderType): none) */")
            out.line("__u32 l3, l4;")
            out.line("__u8 l3_type, l4_type;")
            out.line("/* whether a tunnel was entered, and those two as they were on entering the first */")
            out.line("__u8 tunneled;")
            out.line("__u8 outer_l3_type, outer_l4_type;")
            out.line("__u32 outer_l3, outer_l4;")
            if !capturedHeaders.isEmpty { out.line("/* where each header with captured fields was last found */") }
            for header in capturedHeaders {
                out.line("__u32 \(Self.foundOffset(header));")
                out.line("__u8 \(Self.foundFlag(header));")
            }
        }
        out.line()
        out.block("struct mt_packet", trailer: ";") { out in
            out.line("/* The innermost IP/transport headers. */")
            out.line("struct mt_tuple inner;")
            out.line("/* The outermost ones: those on entering the first tunnel, else equal to inner. */")
            out.line("struct mt_tuple outer;")
            out.line("/* Where the transport header starts: TCP's sequence number and flags (mt_segments.h). */")
            out.line("__u32 l4_off;")
            if !captured.isEmpty {
                out.block("struct", trailer: " \(Self.capturedGroup);") { out in
                    for field in captured {
                        out.line("__u8 \(field.presence);")
                        out.line(field.isBytes ? "__u8 \(field.member)[\(field.bits / 8)];" : "\(field.cType) \(field.member);")
                    }
                }
            }
        }
    }
}
