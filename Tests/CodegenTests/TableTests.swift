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
        func hasEntries() throws -> Bool { try defaults.lookup(key: [0, 0, 0, 0])[TableStateLayout.hasEntriesOffset] == 1 }
        try TableFiller.fill(runner.object)
        XCTAssertFalse(try hasEntries(), "no entry yet")
        let skip = try TableEntry(parsing: "trace_filter=198.19.2.2,9080:skip")
        try TableFiller.add([skip], to: runner.object)
        XCTAssertTrue(try hasEntries())
        XCTAssertFalse(try traced(runner, destination: [198, 19, 2, 2], port: 9080), "the entry is looked up and skips it")
        try TableFiller.remove([skip], from: runner.object)
        XCTAssertFalse(try hasEntries(), "the last entry went, and the flag with it")
        XCTAssertTrue(try traced(runner, destination: [198, 19, 2, 2], port: 9080))
        // The same entry written around the runner, the flag left clear: the program does not look.
        let key: [UInt8] = [198, 19, 2, 2] + [UInt8](repeating: 0, count: 12) + [0x23, 0x78]
        try table.update(key: key, value: [1])
        XCTAssertTrue(try traced(runner, destination: [198, 19, 2, 2], port: 9080), "flag clear: no lookup")
        try TableFiller.setDefault(.trace, ofTable: 0, in: runner.object)
        XCTAssertTrue(try hasEntries(), "a default written again takes the flag from the map")
        XCTAssertFalse(try traced(runner, destination: [198, 19, 2, 2], port: 9080))
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
