import XCTest

/// The map and table checks (Sources/Spec/Validation/MapChecks.swift), through the real loader.
final class MapChecksTests: XCTestCase {
    func testDuplicateTableOrMapName() throws {
        let source = SpecSource.spec(body: """
            RingBuffer("events", bytes: 1 << 20)
            Table("events", keys: .exact(.inner(.destinationPort))) // ERROR
        """)
        try assertRejected(source, "duplicate map or table name 'events'")
    }

    func testDuplicateTableName() throws {
        let source = SpecSource.spec(body: """
            Table("filter", keys: .exact(.inner(.destinationPort)))
            Table("filter", keys: .exact(.inner(.sourcePort))) // ERROR
        """)
        try assertRejected(source, "duplicate map or table name 'filter'")
    }

    func testTableKeyOnUnknownField() throws {
        let source = SpecSource.spec(body: """
            Table("filter",
                  keys: .exact(.inner(.destinationPort)),
                        .exact(.field(tcp.port)), // ERROR
                  size: 256)
        """)
        try assertRejected(source, "key of table 'filter'", "unknown field 'tcp.port'", "dstPort")
    }

    func testTableKeyOnAHeaderNotAlwaysExtracted() throws {
        let source = SpecSource.spec(states: SpecSource.vxlanStates, body: """
            Table("filter", keys: .exact(.field(vxlan.vni))) // ERROR
        """)
        try assertRejected(source, "key of table 'filter' 'vxlan.vni'", "not extracted on every path")
    }

    func testLPMKeyNotLast() throws {
        let source = SpecSource.spec(body: """
            Table("filter", keys: .lpm(.inner(.destinationAddress)), .exact(.inner(.destinationPort))) // ERROR
        """)
        try assertRejected(source, "table 'filter'", "one LPM key", "last key")
    }

    func testLastLPMKeyIsAccepted() throws {
        let source = SpecSource.spec(body: """
            Table("filter", keys: .exact(.inner(.destinationPort)), .lpm(.inner(.destinationAddress)), size: 4096, defaultAction: .skip)
            FlowMap("flows", maxEntries: 1024, keys: [.outer(.sourceAddress), .field(ipv4.dscp)], values: [.packets, .bytes])
        """)
        let ir = try assertAccepted(source)
        XCTAssertEqual(ir?.tables.first?.keys.map(\.match), [.exact, .lpm])
        XCTAssertEqual(ir?.tables.first?.defaultAction, .skip)
    }

    func testRingBufferNotAPowerOfTwo() throws {
        let source = SpecSource.spec(body: """
            RingBuffer("events", bytes: 10000) // ERROR
        """)
        try assertRejected(source, "ring buffer 'events'", "power of two")
    }
}
