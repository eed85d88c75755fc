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
        out.line("/* Parses L2 to L4 as the spec's parser graph says; 0 when the packet reaches accept over TCP.")
        out.line(" * Of the packet it keeps only its payload's bounds and, in `found`, where its headers are:")
        out.line(" * mt_packet_settle reads them for a packet that goes on. */")
        out.line("static __always_inline int mt_parse_packet(struct __sk_buff *skb, struct mt_scratch *s, struct mt_found_headers *found)")
        out.line("{")
        try out.indented { out in
            out.line("unsigned char *data = (unsigned char *)(long)skb->data;")
            out.line("unsigned char *data_end = (unsigned char *)(long)skb->data_end;")
            out.line("__u32 off = 0;")
            out.line("/* The most recent IP header's next protocol and where its payload ends. */")
            out.line("__u32 protocol = 0;")
            out.line("__u32 l3_end = 0;")
            out.line("__builtin_memset(found, 0, sizeof(*found));")
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
            out.line("if (found->l4_type == \(PacketFacts.noHeaderType) || protocol != 6 /* TCP */)")
            out.line("    return -1;")
            out.line("/* IP says more bytes than the frame has: truncated or malformed, not traced. */")
            out.line("if (l3_end > skb->len)")
            out.line("    return -1;")
            out.line("if (off > l3_end)")
            out.line("    return -1;")
            out.line("s->payload_off = off;")
            out.line("s->payload_end = l3_end;")
            out.line("return 0;")
        }
        out.line("reject:")
        out.line("    return -1;")
        out.line("}")
        out.line()
        try emitTupleRead(into: &out)
        out.line()
        try emitSettle(into: &out)
    }

    /// `mt_read_tuple`: a tuple from the IP and transport headers where the parser found them,
    /// composed in registers and written as the words of `FiveTupleLayout`.
    private func emitTupleRead(into out: inout SourceBuilder) throws {
        let words = FiveTupleLayout.size / 8
        out.line("/* A tuple from the IP header at l3 and the transport header at l4 (either may be absent), made")
        out.line(" * in registers and stored a word at a time: a tuple written in pieces makes every wider read")
        out.line(" * of it (the table's key, the event's copy) wait for the pieces. */")
        out.line("static __always_inline int mt_read_tuple(unsigned char *data, unsigned char *data_end, struct mt_tuple *t,")
        out.line("                                         __u32 l3, __u8 l3_type, __u32 l4, __u8 l4_type)")
        try out.block("") { out in
            out.line("__u64 \((0..<words).map { "w\($0) = 0" }.joined(separator: ", "));")
            out.line("if (l3 > MT_MAX_HEADER_BYTES || l4 > MT_MAX_HEADER_BYTES)")
            out.line("    return -1;")
            for header in facts.tupleHeaders {
                let at = if case .network = header.role { "l3" } else { "l4" }
                try out.block("if (\(at)_type == \(PacketFacts.headerTypeName(header.name)))") { out in
                    out.line("unsigned char *h = data + \(at);")
                    out.line("if ((void *)(h + \(header.fixedBytes)) > (void *)data_end)")
                    out.line("    return -1;")
                    try emitTupleWords(of: header, into: &out)
                }
            }
            out.line("__u64 *word = (__u64 *)t;")
            for index in 0..<words { out.line("word[\(index)] = w\(index);") }
            out.line("return 0;")
        }
    }

    /// What one network or transport header adds to the tuple's words (`w0`...), from `h`.
    private func emitTupleWords(of header: HeaderType, into out: inout SourceBuilder) throws {
        // masked to the member's width: a spec's wider field cannot spill into the next member
        func add(_ member: FiveTupleLayout.Member, _ value: String) {
            let shift = 8 * (member.offset % 8)
            let mask = "0x\(String((UInt64(1) << UInt64(8 * member.size)) - 1, radix: 16))"
            out.line("w\(member.offset / 8) |= ((__u64)(\(value)) & \(mask))\(shift == 0 ? "" : " << \(shift)");")
        }
        switch header.role {
        case .network(let source, let destination, let nextProtocol, _, _):
            let addressBytes = try ir.bits(of: FieldRef(header: header.name, field: source), line: header.line) / 8
            add(FiveTupleLayout.family, addressBytes == 16 ? "\(FiveTupleLayout.ipv6Family)" : "4")
            add(FiveTupleLayout.transportProtocol, try FieldAccess.expression(header, nextProtocol))
            for (member, field) in [(FiveTupleLayout.sourceAddress, source), (FiveTupleLayout.destinationAddress, destination)] {
                for (index, word) in FieldAccess.words(from: "h + \(FieldAccess.byteOffset(header, field))", bytes: addressBytes).enumerated() {
                    out.line("w\(member.offset / 8 + index) = \(word);")
                }
            }
        case .transport(let sourcePort, let destinationPort):
            add(FiveTupleLayout.sourcePort, try FieldAccess.expression(header, sourcePort))
            add(FiveTupleLayout.destinationPort, try FieldAccess.expression(header, destinationPort))
        case .tunnel, nil:
            break
        }
    }

    /// `mt_packet_settle`: what a packet that goes on needs of its headers, read where the parser
    /// found them, the parts (`SettleParts`) its caller names.
    private func emitSettle(into out: inout SourceBuilder) throws {
        out.line("/* What a packet that goes on past the HTTP check needs of its headers: its tuples, where its")
        out.line(" * transport header starts and the captured fields, read again where the parser found them")
        out.line(" * (the same linear bytes, so this fails only if the frame changed under us). Read in the")
        out.line(" * parts the caller names (MT_SETTLE_*, constants: the others compile away): the tables' keys")
        out.line(" * first, the rest only for a packet the tables let go on. */")
        out.line("static __always_inline int mt_packet_settle(struct __sk_buff *skb, struct mt_scratch *s, const struct mt_found_headers *found, const __u32 parts)")
        try out.block("") { out in
            out.line("unsigned char *data = (unsigned char *)(long)skb->data;")
            out.line("unsigned char *data_end = (unsigned char *)(long)skb->data_end;")
            out.line("struct mt_packet *p = &s->packet;")
            out.block("if (parts & MT_SETTLE_INNER)") { out in
                out.line("if (mt_read_tuple(data, data_end, &p->inner, found->l3, found->l3_type, found->l4, found->l4_type))")
                out.line("    return -1;")
                out.line("p->l4_off = found->l4;")
            }
            out.block("if (parts & MT_SETTLE_OUTER)") { out in
                out.line("if (!found->tunneled)")
                out.line("    p->outer = p->inner; /* read by the inner part, before */")
                out.line("else if (mt_read_tuple(data, data_end, &p->outer, found->outer_l3, found->outer_l3_type, found->outer_l4, found->outer_l4_type))")
                out.line("    return -1;")
            }
            if !facts.captured.isEmpty {
                try out.block("if (parts & MT_SETTLE_CAPTURED)") { out in
                    out.line("__builtin_memset(&p->\(PacketFacts.capturedGroup), 0, sizeof(p->\(PacketFacts.capturedGroup)));")
                    for name in facts.capturedHeaders {
                        guard let header = ir.header(named: name) else {
                            throw SpecDiagnostic(line: nil, "a captured field is in header '\(name)', which the spec does not define")
                        }
                        try out.block("if (found->\(PacketFacts.foundFlag(name)))") { out in
                            out.line("const __u32 at = found->\(PacketFacts.foundOffset(name));")
                            out.line("if (at > MT_MAX_HEADER_BYTES)")
                            out.line("    return -1;")
                            out.line("unsigned char *h = data + at;")
                            out.line("if ((void *)(h + \(header.fixedBytes)) > (void *)data_end)")
                            out.line("    return -1;")
                            for field in facts.captured(in: name) {
                                out.line("p->\(field.presencePath) = 1;")
                                if field.isBytes {
                                    FieldAccess.copy(to: "p->\(field.memberPath)", from: "h + \(FieldAccess.byteOffset(header, field.ref.field))", bytes: field.bits / 8)
                                        .forEach { out.line($0) }
                                } else {
                                    out.line("p->\(field.memberPath) = \(try FieldAccess.expression(header, field.ref.field));")
                                }
                            }
                        }
                    }
                }
            }
            out.line("return 0;")
        }
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
                out.block("if (!found->tunneled)") { out in
                    out.line("found->tunneled = 1;")
                    for part in ["l3", "l3_type", "l4", "l4_type"] { out.line("found->outer_\(part) = found->\(part);") }
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
            if facts.capturedHeaders.contains(header.name) {
                out.line("found->\(PacketFacts.foundOffset(header.name)) = off;")
                out.line("found->\(PacketFacts.foundFlag(header.name)) = 1;")
            }
            if selectedHeaders.contains(header.name) {
                out.line("at_\(CName.sanitize(header.name)) = off;")
            }
            out.line("off += hlen;")
            out.line("if (off > MT_MAX_HEADER_BYTES)")
            out.line("    goto reject;")
        }
    }

    /// What a network or transport header tells the parser: where it is (its tuple is read at
    /// settle time), and for an IP header the next protocol and where its payload ends.
    private func emitRole(of header: HeaderType, into out: inout SourceBuilder) throws {
        switch header.role {
        case .network(_, _, let nextProtocol, let length, let includesHeader):
            out.line("found->l3 = off;")
            out.line("found->l3_type = \(PacketFacts.headerTypeName(header.name));")
            out.line("found->l4_type = \(PacketFacts.noHeaderType);")
            out.line("protocol = \(try FieldAccess.expression(header, nextProtocol));")
            let lengthValue = try FieldAccess.expression(header, length)
            out.line("l3_end = off + \(lengthValue)\(includesHeader ? "" : " + \(header.fixedBytes)");")
        case .transport:
            out.line("found->l4 = off;")
            out.line("found->l4_type = \(PacketFacts.headerTypeName(header.name));")
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
