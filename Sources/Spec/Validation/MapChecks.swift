extension SpecValidator {
    static let pageSize = 4096

    mutating func checkMaps() {
        checkUnique(ir.maps.map { ($0.name, $0.line) } + ir.tables.map { ($0.name, $0.line) },
                    kind: "map or table", name: \.0, line: \.1)
        let ringBuffers = ir.maps.filter { if case .ringBuffer = $0.kind { true } else { false } }
        if ringBuffers.count > 1 {
            report(ringBuffers[1].line, "a spec has at most one ring buffer; '\(ringBuffers[1].name)' is a second one")
        }
        for map in ir.maps {
            switch map.kind {
            case .ringBuffer(let bytes):
                if bytes < Self.pageSize || bytes & (bytes - 1) != 0 {
                    report(map.line, "ring buffer '\(map.name)' is \(bytes) bytes; it must be a power of two of at least \(Self.pageSize)")
                }
            case .perCPUScratch(let bytes):
                if !(1...(1 << 20)).contains(bytes) {
                    report(map.line, "scratch map '\(map.name)' is \(bytes) bytes; scratch is 1 B to 1 MiB")
                }
            case .hash(let keys, let values, let maxEntries), .lru(let keys, let values, let maxEntries):
                if keys.isEmpty { report(map.line, "flow map '\(map.name)' has no keys") }
                if values.isEmpty { report(map.line, "flow map '\(map.name)' keeps no values") }
                if maxEntries < 1 { report(map.line, "flow map '\(map.name)' has \(maxEntries) entries") }
                for key in keys { checkPacketField(key, line: map.line, usage: "key of flow map '\(map.name)'") }
            }
        }
    }

    mutating func checkTables() {
        for table in ir.tables {
            if table.keys.isEmpty { report(table.line, "table '\(table.name)' has no keys") }
            if table.size < 1 { report(table.line, "table '\(table.name)' has size \(table.size)") }
            let lpm = table.keys.indices.filter { table.keys[$0].match == .lpm }
            if lpm.count > 1 || (lpm.first.map { $0 != table.keys.count - 1 } ?? false) {
                report(table.line, "table '\(table.name)' may have one LPM key, and it must be the last key")
            }
            checkUnique(table.keys, kind: "key in table '\(table.name)'", name: \.field.description, line: { $0.line ?? table.line })
            for key in table.keys {
                checkPacketField(key.field, line: key.line ?? table.line, usage: "key of table '\(table.name)'")
            }
        }
    }

    private mutating func checkPacketField(_ field: PacketField, line: Int?, usage: String) {
        guard case .header(let ref) = field, resolve(ref, line: line, usage: usage) != nil else { return }
        requireExtracted(ref.header, before: ParserGraph.accept, line: line, usage: "\(usage) '\(ref)'")
    }
}
