import Codegen
import ObjectModel
import PacketKit
import Runner
import Spec
import TestSupport
import XCTest

/// Match-action tables filled at run time: exact and LPM keys, actions, and the default action.
final class TableTests: XCTestCase {
    let request = Requests.http([("traceparent", Requests.traceparent), ("Host", "reviews:9080")])

    func traced(_ runner: FrameRunner, destination: [UInt8], port: Int) throws -> Bool {
        var packet = Requests.packet(request)
        packet.destination = destination
        packet.destinationPort = port
        return try runner.events(for: packet.frame).count == 1
    }

    func testExactKeysAndDefaultAction() throws {
        let runner = try Generated.runner(.init(spec: "mesh"))
        XCTAssertTrue(try traced(runner, destination: [198, 19, 2, 2], port: 9080), "empty table: the spec's default, trace")
        try TableFiller.fill(runner.object, entries: [try TableEntry(parsing: "trace_filter=198.19.2.2,9080:skip")])
        XCTAssertFalse(try traced(runner, destination: [198, 19, 2, 2], port: 9080), "the entry skips it")
        XCTAssertTrue(try traced(runner, destination: [198, 19, 2, 2], port: 9081), "another port is not the entry")
        // Trace only 198.19.2.3:9080: default skip, one trace entry.
        try TableFiller.fill(runner.object, entries: [try TableEntry(parsing: "trace_filter=198.19.2.3,9080:trace")], defaults: ["trace_filter": .skip])
        XCTAssertTrue(try traced(runner, destination: [198, 19, 2, 3], port: 9080))
        XCTAssertFalse(try traced(runner, destination: [198, 19, 2, 4], port: 9080))
        XCTAssertEqual(try runner.object.counters()[KernelCounter.filtered.rawValue], 2)
    }

    /// A table without entries is not looked up: its flag in mt_table_defaults says so, set before
    /// the first entry goes in and cleared after the last goes out.
    func testTheEntriesFlagDecidesWhetherTheTableIsLookedUp() throws {
        let runner = try Generated.runner(.init(spec: "mesh"))
        let defaults = try XCTUnwrap(runner.object.maps.tableDefaults)
        let table = try XCTUnwrap(runner.object.maps.tables["trace_filter"])
        func state() throws -> TableStateLayout.Value { TableStateLayout.Value(bytes: try defaults.lookup(key: [0, 0, 0, 0])) }
        try TableFiller.fill(runner.object)
        XCTAssertEqual(try state(), TableStateLayout.Value(skip: false, hasEntries: false, entries: 0), "no entry yet")
        let skip = try TableEntry(parsing: "trace_filter=198.19.2.2,9080:skip")
        try TableFiller.add([skip, skip], to: runner.object)
        XCTAssertEqual(try state(), TableStateLayout.Value(skip: false, hasEntries: true, entries: 1), "one entry, added twice")
        XCTAssertFalse(try traced(runner, destination: [198, 19, 2, 2], port: 9080), "the entry is looked up and skips it")
        try TableFiller.remove([skip, skip], from: runner.object)
        XCTAssertEqual(try state(), TableStateLayout.Value(skip: false, hasEntries: false, entries: 0), "the last entry went, and the flag with it")
        XCTAssertTrue(try traced(runner, destination: [198, 19, 2, 2], port: 9080))
        // The same entry written into its bucket around the runner, the flag left clear: the
        // program does not look. With the flag set by hand it does, and finds the slot where the
        // layout's hash put it: the generated hash and the runner's agree.
        let key: [UInt8] = [198, 19, 2, 2] + [UInt8](repeating: 0, count: 12) + [0x23, 0x78]
        let words = TableBucketLayout.words(of: key)
        let bucket = TableBucketLayout.candidates(of: words, buckets: table.maxEntries).1
        var bytes = [UInt8](repeating: 0, count: table.valueSize)
        bytes.replaceSubrange(0..<TableBucketLayout.stateOffset(keyBytes: key.count), with: words.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) })
        bytes[TableBucketLayout.stateOffset(keyBytes: key.count)] = TableBucketLayout.state(action: 1)
        try table.update(key: withUnsafeBytes(of: bucket.littleEndian, Array.init), value: bytes)
        XCTAssertTrue(try traced(runner, destination: [198, 19, 2, 2], port: 9080), "flag clear: no lookup")
        try defaults.update(key: [0, 0, 0, 0], value: TableStateLayout.Value(skip: false, hasEntries: true, entries: 1).bytes)
        XCTAssertFalse(try traced(runner, destination: [198, 19, 2, 2], port: 9080), "flag set: found in its second bucket")
        XCTAssertTrue(try traced(runner, destination: [198, 19, 2, 2], port: 9081), "another key in the same table")
    }

    /// Hundreds of entries, as --trace-service installs for a large Service: each is found by the
    /// program with its own action, others are not, and taking some out leaves the rest.
    func testManyEntriesAreEachFoundAndRemovedAlone() throws {
        let runner = try Generated.runner(.init(spec: "mesh"))
        let entries = (0..<400).map { n in
            TableEntry(table: "trace_filter", keys: ["198.19.\(n / 200).\(n % 200 + 1)", "\(8000 + n % 7)"], action: n % 3 == 0 ? .trace : .skip)
        }
        try TableFiller.fill(runner.object, entries: entries, defaults: ["trace_filter": .skip])
        let defaults = try XCTUnwrap(runner.object.maps.tableDefaults)
        XCTAssertEqual(TableStateLayout.Value(bytes: try defaults.lookup(key: [0, 0, 0, 0])).entries, 400)
        func judged(_ n: Int) throws -> Bool {
            try traced(runner, destination: [198, 19, UInt8(n / 200), UInt8(n % 200 + 1)], port: 8000 + n % 7)
        }
        for n in stride(from: 0, to: 400, by: 7) {
            XCTAssertEqual(try judged(n), n % 3 == 0, "entry \(n)")
        }
        XCTAssertFalse(try traced(runner, destination: [198, 19, 0, 1], port: 8001), "its address with another port: the default, skip")
        try TableFiller.remove(entries.enumerated().filter { $0.offset % 3 == 0 }.map(\.element), from: runner.object)
        XCTAssertEqual(TableStateLayout.Value(bytes: try defaults.lookup(key: [0, 0, 0, 0])).entries, 400 - 134)
        for n in stride(from: 0, to: 400, by: 5) {
            XCTAssertFalse(try judged(n), "entry \(n): removed (default skip) or a skip entry")
        }
        try TableFiller.add([TableEntry(table: "trace_filter", keys: ["198.19.0.2", "8001"], action: .trace)], to: runner.object)
        XCTAssertTrue(try judged(1), "an entry's action changed in place")
        XCTAssertEqual(TableStateLayout.Value(bytes: try defaults.lookup(key: [0, 0, 0, 0])).entries, 400 - 134, "and not counted twice")
    }

    /// A table holds its spec's size and no more; keys its hash crowds into one pair of full
    /// buckets are an error naming the buckets, not a silent miss.
    func testAFullTableOrBucketPairIsAClearError() throws {
        var ir = try Generated.ir("mesh")
        ir.tables[0].size = 9
        Generated.register(ir, as: "mesh-table-9")
        let runner = try Generated.runner(.init(spec: "mesh-table-9"))
        let buckets = TableBucketLayout.buckets(size: 9)
        func entry(_ port: Int) -> TableEntry { TableEntry(table: "trace_filter", keys: ["198.19.2.2", "\(port)"], action: .skip) }
        func pair(_ port: Int) -> Set<UInt32> {
            let key: [UInt8] = [198, 19, 2, 2] + [UInt8](repeating: 0, count: 12) + [UInt8(port >> 8), UInt8(port & 0xff)]
            let (first, second) = TableBucketLayout.candidates(of: TableBucketLayout.words(of: key), buckets: buckets)
            return [first, second]
        }
        let crowd = Array((1...65535).filter { pair($0) == pair(1) && pair($0).count == 2 }.prefix(9))
        XCTAssertEqual(crowd.count, 9)
        try TableFiller.fill(runner.object, entries: crowd.prefix(8).map(entry))
        XCTAssertThrowsError(try TableFiller.add([entry(crowd[8])], to: runner.object)) {
            XCTAssertTrue("\($0)".contains("has no room for 198.19.2.2,\(crowd[8])") && "\($0)".contains("hold 4 entries"), "\($0)")
        }
        let others = (1...65535).filter { pair($0).isDisjoint(with: pair(1)) }.prefix(2)
        try TableFiller.add([entry(others.first!)], to: runner.object)
        XCTAssertThrowsError(try TableFiller.add([entry(others.last!)], to: runner.object)) {
            XCTAssertTrue("\($0)".contains("is full: it holds 9 entries, its spec's size, so 198.19.2.2,\(others.last!) cannot go in"), "\($0)")
        }
        try TableFiller.add([TableEntry(table: "trace_filter", keys: ["198.19.2.2", "\(crowd[0])"], action: .trace)], to: runner.object)
        XCTAssertTrue(try traced(runner, destination: [198, 19, 2, 2], port: crowd[0]), "a full table still changes an entry's action")
        XCTAssertFalse(try traced(runner, destination: [198, 19, 2, 2], port: crowd[7]))
    }

    /// A request's start meets the tables with only what their keys name read (MT_SETTLE_TABLE_KEYS),
    /// the rest of its headers after: keyed on the outer tuple, the captured fields come after the
    /// table; keyed on a captured field, the tuples do. Either way an event the table lets through
    /// carries them all.
    func testKeysOnTheOuterTupleOrACapturedFieldReadTheRestAfter() throws {
        let packet = Packet(http: request)
        for (name, key, skipped) in [
            ("mesh-outer-key", PacketField.outer(.sourceAddress), "198.18.0.1"),
            ("mesh-captured-key", PacketField.header(FieldRef(header: "tcp", field: "seqNo")), String(packet.sequence)),
        ] {
            var ir = try Generated.ir("mesh")
            ir.tables = [MatchActionTable(name: "trace_filter", keys: [TableKey(field: key, match: .exact)])]
            Generated.register(ir, as: name)
            let runner = try Generated.runner(.init(spec: name))
            func events(outerSource: [UInt8], sequence: UInt32) throws -> [PacketEvent] {
                var packet = Requests.packet(request, .vxlan(vni: 42, outerSource: outerSource, outerDestination: [198, 18, 0, 2], sourcePort: 50000))
                packet.sequence = sequence
                return try runner.events(for: packet.frame)
            }
            XCTAssertEqual(try events(outerSource: [198, 18, 0, 1], sequence: packet.sequence).count, 1, "\(name): empty table, the default: trace")
            try TableFiller.fill(runner.object, entries: [try TableEntry(parsing: "trace_filter=\(skipped):skip")])
            XCTAssertEqual(try events(outerSource: [198, 18, 0, 1], sequence: packet.sequence).count, 0, "\(name): the entry skips it")
            let other = try XCTUnwrap(try events(outerSource: [198, 18, 0, 3], sequence: packet.sequence + 1).first, "\(name): not the entry")
            XCTAssertEqual(other.outer?.sourceAddress, IPAddress("198.18.0.3"), name)
            XCTAssertEqual(other.inner?.destinationAddress, IPAddress("198.19.2.2"), name)
            XCTAssertEqual(other.fields["vxlan_vni"], 42, name)
            XCTAssertEqual(other.sequence, UInt64(packet.sequence + 1), name)
            XCTAssertEqual(try runner.object.counters()[KernelCounter.filtered.rawValue], 1, name)
        }
    }

    func testLongestPrefixMatch() throws {
        let runner = try Generated.runner(.init(spec: "overlays"))
        try TableFiller.fill(runner.object, entries: [
            try TableEntry(parsing: "trace_filter=9080,198.19.0.0/16:skip"),
            try TableEntry(parsing: "trace_filter=9080,198.19.2.0/24:trace"),
        ])
        XCTAssertTrue(try traced(runner, destination: [198, 19, 2, 7], port: 9080), "the /24 is longer than the /16")
        XCTAssertFalse(try traced(runner, destination: [198, 19, 3, 7], port: 9080), "only the /16 matches")
        XCTAssertTrue(try traced(runner, destination: [198, 18, 3, 7], port: 9080), "no prefix matches: default trace")
    }

    func testBadEntriesAreClearErrors() throws {
        let runner = try Generated.runner(.init(spec: "mesh"))
        XCTAssertThrowsError(try TableFiller.fill(runner.object, entries: [try TableEntry(parsing: "nosuch=1:skip")])) {
            XCTAssertTrue("\($0)".contains("unknown table 'nosuch'"), "\($0)")
        }
        XCTAssertThrowsError(try TableFiller.fill(runner.object, entries: [try TableEntry(parsing: "trace_filter=9080:skip")])) {
            XCTAssertTrue("\($0)".contains("has 2 key(s)"), "\($0)")
        }
        XCTAssertThrowsError(try TableFiller.fill(runner.object, entries: [try TableEntry(parsing: "trace_filter=not-an-ip,9080:skip")])) {
            XCTAssertTrue("\($0)".contains("not an IPv4 or IPv6 address"), "\($0)")
        }
        XCTAssertThrowsError(try TableEntry(parsing: "trace_filter=1.2.3.4,80:drop"))
    }
}
