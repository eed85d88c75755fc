import ObjectModel
import Spec

/// Emits the spec's BTF-defined maps: the event ring buffer, the ifindex → tracing-point map,
/// the match-action tables with `mt_table_allows`, and the flow maps with their updates.
/// Table and flow keys are network-order bytes, so LPM prefixes and the runner agree.
struct MapEmitter {
    static let defaultRingBufferBytes = 1 << 18
    /// Events of a CPU between two asks of the ring's fill (`MT_RINGBUF_QUERY_EVERY`).
    static let ringQueryEvery = 8

    struct FlowMap {
        var map: MapLayout
        var keys: [PacketField]
        var values: [FlowStatistic]
        var maxEntries: Int
        var evicting: Bool
        var cName: String { CName.sanitize(map.name) }
        var symbol: MapSymbol { .flow(map.name) }
    }

    let ir: SpecIR
    let facts: PacketFacts
    /// Bytes each key field takes, for every table and flow key (widths checked once, here).
    private let keyWidths: [PacketField: Int]

    init(ir: SpecIR, facts: PacketFacts) throws {
        self.ir = ir
        self.facts = facts
        var widths: [PacketField: Int] = [:]
        let keyed = ir.tables.flatMap { table in table.keys.map { ($0.field, $0.line ?? table.line) } }
            + ir.maps.flatMap { map -> [(PacketField, Int?)] in
                switch map.kind {
                case .hash(let keys, _, _), .lru(let keys, _, _): keys.map { ($0, map.line) }
                default: []
                }
            }
        for (field, line) in keyed {
            widths[field] = try Self.keyBytes(field, ir: ir, line: line)
        }
        keyWidths = widths
    }

    var ringBufferBytes: Int {
        for case .ringBuffer(let bytes) in ir.maps.map(\.kind) { return bytes }
        return Self.defaultRingBufferBytes
    }

    var flowMaps: [FlowMap] {
        ir.maps.compactMap { map in
            switch map.kind {
            case .hash(let keys, let values, let max): FlowMap(map: map, keys: keys, values: values, maxEntries: max, evicting: false)
            case .lru(let keys, let values, let max): FlowMap(map: map, keys: keys, values: values, maxEntries: max, evicting: true)
            default: nil
            }
        }
    }

    /// Bytes a packet field takes in a key (network order, as the runner's table filler writes them).
    static func keyBytes(_ field: PacketField, ir: SpecIR, line: Int?) throws -> Int {
        switch field {
        case .inner(let member), .outer(let member):
            switch member {
            case .sourceAddress, .destinationAddress: 16
            case .transportProtocol: 1
            case .sourcePort, .destinationPort: 2
            }
        case .header(let ref):
            (try ir.bits(of: ref, line: line) + 7) / 8
        }
    }

    private func keyBytes(_ field: PacketField) -> Int { keyWidths[field]! }

    static func keyMember(_ index: Int) -> String { "k\(index)" }

    func emit(into out: inout SourceBuilder) throws {
        out.line("#define MT_UNKNOWN_POINT \(TracingPointMaps.unknown)")
        out.line("#define MT_POINTS_DIRECT \(TracingPointMaps.directLimit)")
        out.line()
        out.block("struct", trailer: " \(MapSymbol.events.name) SEC(\".maps\");") { out in
            out.line("__uint(type, BPF_MAP_TYPE_RINGBUF);")
            out.line("__uint(max_entries, \(ringBufferBytes));")
        }
        out.line("/* Bytes waiting before a submit wakes the runner (mt_submit_event): a ring three quarters full,")
        out.line(" * a runner that fell behind. Else no wakeup: one per event cost the node a context switch each,")
        out.line(" * and the runner reads the ring on a timer as well (TraceSession.ringReadMs). */")
        out.line("#define MT_RINGBUF_WAKE_BYTES \(ringBufferBytes / 4 * 3)")
        out.line("/* Records of a CPU between two such checks: late by that many at most, far inside the quarter left. */")
        out.line("#define MT_RINGBUF_QUERY_EVERY \(Self.ringQueryEvery)")
        out.line()
        out.line("/* ifindex → tracing point (its index in the spec), filled by the runner as it attaches: below")
        out.line(" * MT_POINTS_DIRECT an array holding index + 1 (0: none), a load where a hash lookup cost the")
        out.line(" * event ~7 %; the hash for larger ifindexes (they only grow on a node whose pods come and go). */")
        out.block("struct", trailer: " \(MapSymbol.pointsDirect.name) SEC(\".maps\");") { out in
            out.line("__uint(type, BPF_MAP_TYPE_ARRAY);")
            out.line("__uint(max_entries, MT_POINTS_DIRECT);")
            out.line("__type(key, __u32);")
            out.line("__type(value, __u8);")
        }
        out.block("struct", trailer: " \(MapSymbol.points.name) SEC(\".maps\");") { out in
            out.line("__uint(type, BPF_MAP_TYPE_HASH);")
            out.line("__uint(max_entries, \(TracingPointMaps.hashEntries));")
            out.line("__type(key, __u32);")
            out.line("__type(value, __u8);")
        }
        if !ir.tables.isEmpty {
            out.line()
            out.line("/* Each table's action for packets no entry matches (0 trace, 1 skip) and whether it holds any")
            out.line(" * entry, by table index: set by the runner (the spec's default or its --table-default; the flag")
            out.line(" * before its first entry goes in and after its last goes out), so a table without entries costs")
            out.line(" * an array load, not its buckets. */")
            out.block("struct \(TableStateLayout.typeName)", trailer: ";") { out in
                out.line("__u8 default_action;")
                out.line("__u8 has_entries;")
                out.line("__u16 pad;")
                out.line("__u32 entries; /* the runner's count, not read here */")
            }
            out.line("_Static_assert(sizeof(struct \(TableStateLayout.typeName)) == \(TableStateLayout.size), \"table state layout\");")
            out.line("_Static_assert(__builtin_offsetof(struct \(TableStateLayout.typeName), default_action) == \(TableStateLayout.defaultActionOffset), \"table state layout\");")
            out.line("_Static_assert(__builtin_offsetof(struct \(TableStateLayout.typeName), has_entries) == \(TableStateLayout.hasEntriesOffset), \"table state layout\");")
            out.line("_Static_assert(__builtin_offsetof(struct \(TableStateLayout.typeName), entries) == \(TableStateLayout.entriesOffset), \"table state layout\");")
            out.block("struct", trailer: " \(MapSymbol.tableDefaults.name) SEC(\".maps\");") { out in
                out.line("__uint(type, BPF_MAP_TYPE_ARRAY);")
                out.line("__uint(max_entries, \(ir.tables.count));")
                out.line("__type(key, __u32);")
                out.line("__type(value, struct \(TableStateLayout.typeName));")
            }
        }
        if ir.tables.contains(where: { $0.keys.last?.match != .lpm }) {
            out.line()
            out.line("#define MT_TABLE_SLOTS \(TableBucketLayout.slots)")
            out.line("#define MT_TABLE_HASH_SEED 0x\(String(TableBucketLayout.seed, radix: 16))ULL")
            out.line("#define MT_TABLE_HASH_MULTIPLIER 0x\(String(TableBucketLayout.multiplier, radix: 16))ULL")
        }
        for table in ir.tables {
            emitTable(table, into: &out)
        }
        for map in flowMaps {
            try emitFlowMap(map, into: &out)
        }
        try emitTableCheck(into: &out)
    }

    /// A struct of the keys' bytes; `name` empty for a union's member (`trailer` names it).
    private func emitKeyStruct(_ name: String, keys: [PacketField], prefixLength: Bool, trailer: String = ";", into out: inout SourceBuilder) {
        out.block(name.isEmpty ? "struct" : "struct \(name)", trailer: trailer) { out in
            if prefixLength { out.line("__u32 prefixlen;") }
            for (index, field) in keys.enumerated() {
                out.line("__u8 \(Self.keyMember(index))[\(keyBytes(field))]; /* \(field) */")
            }
        }
    }

    /// Fills `key` (a struct of byte arrays) from the scratch state `s`.
    private func emitKeyFill(_ key: String, keys: [PacketField], into out: inout SourceBuilder) throws {
        for (index, field) in keys.enumerated() {
            let member = "\(key).\(Self.keyMember(index))"
            switch field {
            case .inner(let m), .outer(let m):
                let tuple = if case .inner = field { "s->packet.inner" } else { "s->packet.outer" }
                switch m {
                case .sourceAddress: out.line("__builtin_memcpy(\(member), \(tuple).saddr, 16);")
                case .destinationAddress: out.line("__builtin_memcpy(\(member), \(tuple).daddr, 16);")
                case .transportProtocol: out.line("\(member)[0] = \(tuple).protocol;")
                case .sourcePort, .destinationPort:
                    let port = m == .sourcePort ? "sport" : "dport"
                    out.line("\(member)[0] = \(tuple).\(port) >> 8;")
                    out.line("\(member)[1] = \(tuple).\(port) & 0xff;")
                }
            case .header(let ref):
                guard let captured = facts.captured.first(where: { $0.ref == ref }) else {
                    throw SpecDiagnostic(line: nil, "a key names '\(ref)', which the parser does not capture")
                }
                if captured.isBytes {
                    out.line("__builtin_memcpy(\(member), s->packet.\(captured.memberPath), \(captured.bits / 8));")
                } else {
                    let bytes = keyBytes(field)
                    for byte in 0..<bytes {
                        let shift = 8 * (bytes - 1 - byte)
                        out.line("\(member)[\(byte)] = (s->packet.\(captured.memberPath) >> \(shift)) & 0xff;")
                    }
                }
            }
        }
    }

    private func emitTable(_ table: MatchActionTable, into out: inout SourceBuilder) {
        let name = CName.sanitize(table.name)
        let keys = table.keys.map(\.field)
        out.line()
        guard table.keys.last?.match != .lpm else {
            out.line("/* Table \(table.name): value 0 = trace, 1 = skip; no entry: mt_table_defaults (spec: \(table.defaultAction.rawValue)). */")
            emitKeyStruct("mt_table_\(name)_key", keys: keys, prefixLength: true, into: &out)
            out.block("struct", trailer: " \(MapSymbol.table(table.name).name) SEC(\".maps\");") { out in
                out.line("__uint(type, BPF_MAP_TYPE_LPM_TRIE);")
                out.line("__uint(map_flags, BPF_F_NO_PREALLOC);")
                out.line("__uint(max_entries, \(table.size));")
                out.line("__type(key, struct mt_table_\(name)_key);")
                out.line("__type(value, __u8);")
            }
            return
        }
        let keyBytes = keys.map(keyBytes).reduce(0, +)
        let words = TableBucketLayout.keyWords(keyBytes: keyBytes)
        let buckets = TableBucketLayout.buckets(size: table.size)
        out.line("/* Table \(table.name) (exact): \(buckets) buckets of MT_TABLE_SLOTS slots, a key in either of the two its")
        out.line(" * hash picks (TableBucketLayout); a slot's state 0 = empty, 1 + action (0 trace, 1 skip); no entry:")
        out.line(" * mt_table_defaults (spec: \(table.defaultAction.rawValue)). */")
        out.block("union mt_table_\(name)_key", trailer: ";") { out in
            emitKeyStruct("", keys: keys, prefixLength: false, trailer: " f;", into: &out)
            out.line("__u64 w[\(words)];")
        }
        out.block("struct mt_table_\(name)_slot", trailer: ";") { out in
            out.line("__u64 key[\(words)];")
            out.line("__u8 state;")
            out.line("__u8 pad[7];")
        }
        out.block("struct mt_table_\(name)_bucket", trailer: ";") { out in
            out.line("struct mt_table_\(name)_slot slot[MT_TABLE_SLOTS];")
        }
        out.line("_Static_assert(sizeof(struct mt_table_\(name)_bucket) == \(TableBucketLayout.bucketBytes(keyBytes: keyBytes)), \"table bucket layout\");")
        out.line("_Static_assert(__builtin_offsetof(struct mt_table_\(name)_slot, state) == \(TableBucketLayout.stateOffset(keyBytes: keyBytes)), \"table bucket layout\");")
        out.block("struct", trailer: " \(MapSymbol.table(table.name).name) SEC(\".maps\");") { out in
            out.line("__uint(type, BPF_MAP_TYPE_ARRAY);")
            out.line("__uint(max_entries, \(buckets));")
            out.line("__type(key, __u32);")
            out.line("__type(value, struct mt_table_\(name)_bucket);")
        }
        out.line("/* The action of the entry for the key, or -1: every slot of both its buckets, with the loads the")
        out.line(" * verifier inlines (a hash map's lookup is a helper call, ~40 ns). */")
        out.line("static __always_inline int mt_table_\(name)_find(const union mt_table_\(name)_key *key)")
        out.block("") { out in
            out.line("__u64 h = MT_TABLE_HASH_SEED;")
            for word in 0..<words {
                out.line("h = (h ^ key->w[\(word)]) * MT_TABLE_HASH_MULTIPLIER;")
                out.line("h ^= h >> 32;")
            }
            out.line("h *= MT_TABLE_HASH_MULTIPLIER;")
            out.line("h ^= h >> 29;")
            out.line("__u32 candidates[2] = { h & \(buckets - 1), (h >> 32) & \(buckets - 1) };")
            out.line("MT_UNROLL")
            out.block("for (int c = 0; c < 2; c++)") { out in
                out.line("const struct mt_table_\(name)_bucket *b = bpf_map_lookup_elem(&\(MapSymbol.table(table.name).name), &candidates[c]);")
                out.line("if (!b)")
                out.line("    continue;")
                out.line("MT_UNROLL")
                out.block("for (int i = 0; i < MT_TABLE_SLOTS; i++)") { out in
                    out.line("const struct mt_table_\(name)_slot *slot = &b->slot[i];")
                    let same = (0..<words).map { "slot->key[\($0)] == key->w[\($0)]" }.joined(separator: " && ")
                    out.line("if (slot->state && \(same))")
                    out.line("    return slot->state - 1;")
                }
            }
            out.line("return -1;")
        }
    }

    private func emitTableCheck(into out: inout SourceBuilder) throws {
        out.line()
        out.line("/* 1 when every table lets the packet be traced. */")
        out.line("static __always_inline int mt_table_allows(struct mt_scratch *s)")
        try out.block("") { out in
            for (index, table) in ir.tables.enumerated() {
                let name = CName.sanitize(table.name)
                let lpm = table.keys.last?.match == .lpm
                try out.block("") { out in
                    out.line("__u32 table = \(index);")
                    out.line("const struct \(TableStateLayout.typeName) *state = bpf_map_lookup_elem(&\(MapSymbol.tableDefaults.name), &table);")
                    out.line("__u8 action = state ? state->default_action : 0;")
                    try out.block("if (state && state->has_entries)") { out in
                        if lpm {
                            out.line("struct mt_table_\(name)_key key;")
                            out.line("__builtin_memset(&key, 0, sizeof(key));")
                            out.line("key.prefixlen = \(table.keys.map { keyBytes($0.field) * 8 }.reduce(0, +));")
                            try emitKeyFill("key", keys: table.keys.map(\.field), into: &out)
                            out.line("const __u8 *entry = bpf_map_lookup_elem(&\(MapSymbol.table(table.name).name), &key);")
                            out.line("if (entry)")
                            out.line("    action = *entry;")
                        } else {
                            out.line("union mt_table_\(name)_key key;")
                            out.line("__builtin_memset(&key, 0, sizeof(key));")
                            try emitKeyFill("key.f", keys: table.keys.map(\.field), into: &out)
                            out.line("const int found = mt_table_\(name)_find(&key);")
                            out.line("if (found >= 0)")
                            out.line("    action = found;")
                        }
                    }
                    out.line("if (action != 0)")
                    out.line("    return 0;")
                }
            }
            out.line("return 1;")
        }
    }

    private func emitFlowMap(_ map: FlowMap, into out: inout SourceBuilder) throws {
        out.line()
        out.line("/* Flow map \(map.map.name): statistics per key, updated for every event. */")
        emitKeyStruct("mt_flow_\(map.cName)_key", keys: map.keys, prefixLength: false, into: &out)
        out.block("struct mt_flow_\(map.cName)_value", trailer: ";") { out in
            for value in map.values {
                out.line("__u64 \(CName.sanitize(value.rawValue));")
            }
        }
        out.block("struct", trailer: " \(map.symbol.name) SEC(\".maps\");") { out in
            out.line("__uint(type, \(map.evicting ? "BPF_MAP_TYPE_LRU_HASH" : "BPF_MAP_TYPE_HASH"));")
            out.line("__uint(max_entries, \(map.maxEntries));")
            out.line("__type(key, struct mt_flow_\(map.cName)_key);")
            out.line("__type(value, struct mt_flow_\(map.cName)_value);")
        }
        out.line("static __always_inline void mt_flow_update_\(map.cName)(struct mt_scratch *s)")
        try out.block("") { out in
            out.line("struct mt_flow_\(map.cName)_key key;")
            out.line("__builtin_memset(&key, 0, sizeof(key));")
            try emitKeyFill("key", keys: map.keys, into: &out)
            out.line("struct mt_flow_\(map.cName)_value *v = bpf_map_lookup_elem(&\(map.symbol.name), &key);")
            out.block("if (!v)") { out in
                out.line("struct mt_flow_\(map.cName)_value fresh;")
                out.line("__builtin_memset(&fresh, 0, sizeof(fresh));")
                for value in map.values {
                    out.line("fresh.\(CName.sanitize(value.rawValue)) = \(Self.initial(value));")
                }
                out.line("bpf_map_update_elem(&\(map.symbol.name), &key, &fresh, BPF_NOEXIST);")
                out.line("return;")
            }
            for value in map.values {
                if let update = Self.update(value, member: "v->\(CName.sanitize(value.rawValue))") { out.line(update) }
            }
        }
    }

    private static func initial(_ value: FlowStatistic) -> String {
        switch value {
        case .packets: "1"
        case .bytes: "s->payload_end - s->payload_off"
        case .firstTimestamp, .lastTimestamp: "s->timestamp"
        }
    }

    private static func update(_ value: FlowStatistic, member: String) -> String? {
        switch value {
        case .packets: "__sync_fetch_and_add(&\(member), 1);"
        case .bytes: "__sync_fetch_and_add(&\(member), s->payload_end - s->payload_off);"
        case .firstTimestamp: nil
        case .lastTimestamp: "\(member) = s->timestamp;"
        }
    }
}
