import ObjectModel
import Spec

/// Emits the spec's parser as `mt_parse_packet`: one labelled block per unrolled state, each
/// bounds-checked with the `h + n > data_end` idiom on the linear area, select chains as
/// if-chains ending in `goto reject`, as p4c's EBPFParser does.
struct ParserEmitter {
    let ir: SpecIR
    let facts: PacketFacts
    let unrolling: ParserUnrolling

    init(ir: SpecIR, facts: PacketFacts) throws {
        self.ir = ir
        self.facts = facts
        self.unrolling = try ParserUnrolling(ir.parser)
    }

    /// Headers some select reads, whose start offsets the parser therefore keeps.
    var selectedHeaders: [String] {
        let names = ir.parser.states.flatMap { state -> [String] in
            if case .select(let select) = state.transition { return select.keys.map(\.header) }
            return []
        }
        return Array(Set(names)).sorted()
    }

    func emit(into out: inout SourceBuilder) throws {
        out.line("/* Parses L2 to L4 as the spec's parser graph says; 0 when the packet reaches accept over TCP. */")
        out.line("static __always_inline int mt_parse_packet(struct __sk_buff *skb, struct mt_scratch *s)")
        out.line("{")
        try out.indented { out in
            out.line("unsigned char *data = (unsigned char *)(long)skb->data;")
            out.line("unsigned char *data_end = (unsigned char *)(long)skb->data_end;")
            out.line("struct mt_packet *p = &s->packet;")
            out.line("__u32 off = 0;")
            out.line("/* Where the most recent instance of each header type starts, for selects on earlier headers. */")
            for header in selectedHeaders {
                out.line("__u32 at_\(CName.sanitize(header)) = 0;")
            }
            out.line()
            for node in unrolling.nodes {
                guard let state = ir.parser.state(named: node.state) else {
                    throw SpecDiagnostic(line: ir.parser.line, "the parser reaches state '\(node.state)', which it does not define")
                }
                try emit(state, node: node, into: &out)
            }
        }
        out.line("accept:")
        out.indented { out in
            out.line("if (!p->l4_seen || p->inner.protocol != 6 /* TCP */)")
            out.line("    return -1;")
            out.line("if (!p->tunneled)")
            out.line("    p->outer = p->inner;")
            out.line("/* IP says more bytes than the frame has: truncated or malformed, not traced. */")
            out.line("if (p->l3_end > skb->len)")
            out.line("    return -1;")
            out.line("if (off > p->l3_end)")
            out.line("    return -1;")
            out.line("s->payload_off = off;")
            out.line("s->payload_end = p->l3_end;")
            out.line("return 0;")
        }
        out.line("reject:")
        out.line("    return -1;")
        out.line("}")
    }

    private func emit(_ state: ParserState, node: ParserUnrolling.Node, into out: inout SourceBuilder) throws {
        let visits = node.visits.sorted { $0.key < $1.key }.map { ", visit \($0.value) of \($0.key)" }.joined()
        out.line("\(node.label): /* state \(state.name)\(state.line.map { ", spec line \($0)" } ?? "")\(visits) */")
        try out.block("") { out in
            for name in state.extracts {
                guard let header = ir.header(named: name) else {
                    throw SpecDiagnostic(line: state.line, "state '\(state.name)' extracts header '\(name)', which the spec does not define")
                }
                try emitExtract(header, into: &out)
            }
            if state.tunnel != nil {
                out.block("if (!p->tunneled)") { out in
                    out.line("p->outer = p->inner;")
                    out.line("p->tunneled = 1;")
                }
            }
            try emitTransition(state.transition, node: node, into: &out)
        }
    }

    /// One extract: bounds check, length rules, roles, captured fields, advance.
    private func emitExtract(_ header: HeaderType, into out: inout SourceBuilder) throws {
        let fixed = header.fixedBytes
        try out.block("") { out in
            out.line("unsigned char *h = data + off;")
            out.line("if ((void *)(h + \(fixed)) > (void *)data_end)")
            out.line("    goto reject;")
            out.line("__u32 hlen = \(fixed);")
            for rule in header.length {
                let value = try FieldAccess.expression(header, rule.field)
                switch rule {
                case .totalLength(_, let unit):
                    out.line("hlen = \(value) * \(unit);")
                    out.line("if (hlen < \(fixed))")
                    out.line("    goto reject;")
                case .extraLength(_, let unit):
                    out.line("hlen += \(value) * \(unit);")
                case .optional(_, let mask, let bytes):
                    out.line("if (\(value) & 0x\(String(mask, radix: 16)))")
                    out.line("    hlen += \(bytes);")
                }
            }
            try emitRole(of: header, into: &out)
            for field in facts.captured(in: header.name) {
                out.line("p->\(field.presence) = 1;")
                if field.isBytes {
                    FieldAccess.copy(to: "p->\(field.member)", from: "h + \(FieldAccess.byteOffset(header, field.ref.field))", bytes: field.bits / 8)
                        .forEach { out.line($0) }
                } else {
                    out.line("p->\(field.member) = \(try FieldAccess.expression(header, field.ref.field));")
                }
            }
            if selectedHeaders.contains(header.name) {
                out.line("at_\(CName.sanitize(header.name)) = off;")
            }
            out.line("off += hlen;")
            out.line("if (off > MT_MAX_HEADER_BYTES)")
            out.line("    goto reject;")
        }
    }

    private func emitRole(of header: HeaderType, into out: inout SourceBuilder) throws {
        switch header.role {
        case .network(let source, let destination, let nextProtocol, let length, let includesHeader):
            let addressBytes = try ir.bits(of: FieldRef(header: header.name, field: source), line: header.line) / 8
            out.line("__builtin_memset(&p->inner, 0, sizeof(p->inner));")
            out.line("p->inner.family = \(addressBytes == 16 ? 6 : 4);")
            for (member, field) in [("saddr", source), ("daddr", destination)] {
                FieldAccess.copy(to: "p->inner.\(member)", from: "h + \(FieldAccess.byteOffset(header, field))", bytes: addressBytes).forEach { out.line($0) }
            }
            out.line("p->inner.protocol = \(try FieldAccess.expression(header, nextProtocol));")
            let lengthValue = try FieldAccess.expression(header, length)
            out.line("p->l3_end = off + \(lengthValue)\(includesHeader ? "" : " + \(header.fixedBytes)");")
            out.line("p->l4_seen = 0;")
        case .transport(let sourcePort, let destinationPort):
            out.line("p->inner.sport = \(try FieldAccess.expression(header, sourcePort));")
            out.line("p->inner.dport = \(try FieldAccess.expression(header, destinationPort));")
            out.line("p->l4_seen = 1;")
            out.line("p->l4_off = off;")
        case .tunnel, nil:
            break
        }
    }

    private func emitTransition(_ transition: StateTransition, node: ParserUnrolling.Node, into out: inout SourceBuilder) throws {
        let edges = unrolling.edges[node, default: [:]]
        func target(_ next: String) throws -> String {
            guard let label = edges[next] else {
                throw SpecDiagnostic(line: ir.parser.state(named: node.state)?.line, "state '\(node.state)' goes to '\(next)', which the parser graph does not reach")
            }
            return label
        }
        switch transition {
        case .direct(let next, _):
            out.line("goto \(try target(next));")
        case .select(let select):
            var keys: [String] = []
            for (index, key) in select.keys.enumerated() {
                guard let header = ir.header(named: key.header) else {
                    throw SpecDiagnostic(line: select.line, "a select keys on header '\(key.header)', which the spec does not define")
                }
                let at = "at_\(CName.sanitize(header.name))"
                out.line("unsigned char *h\(index) = data + \(at);")
                out.line("if ((void *)(h\(index) + \(header.fixedBytes)) > (void *)data_end)")
                out.line("    goto reject;")
                out.line("__u64 k\(index) = \(try FieldAccess.expression(header, key.field, base: "h\(index)"));")
                keys.append("k\(index)")
            }
            for selectCase in select.cases {
                let conditions = zip(keys, selectCase.matchers).compactMap { key, matcher -> String? in
                    switch matcher {
                    case .exact(let value): "\(key) == 0x\(String(value, radix: 16))"
                    case .mask(let value, let mask): "(\(key) & 0x\(String(mask, radix: 16))) == 0x\(String(value & mask, radix: 16))"
                    case .range(let lower, let upper): "(\(key) >= 0x\(String(lower, radix: 16)) && \(key) <= 0x\(String(upper, radix: 16)))"
                    case .any: nil
                    }
                }
                out.line("if (\(conditions.isEmpty ? "1" : conditions.joined(separator: " && ")))")
                out.line("    goto \(try target(selectCase.next));")
            }
            out.line("goto \(try target(select.defaultNext));")
        }
    }
}
