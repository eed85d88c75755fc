import Spec
import XCTest

/// The standard header library (Sources/Spec/Library/StandardHeaders.swift): field names, widths, roles.
final class StandardHeadersTests: XCTestCase {
    func testFieldNamesAndSizes() {
        let expected: [(Header, [String], Int)] = [
            (ethernet, ["dstAddr", "srcAddr", "etherType"], 14),
            (vlan, ["pcp", "dei", "vid", "etherType"], 4),
            (ipv4, ["version", "ihl", "dscp", "ecn", "totalLength", "identification", "flags", "fragmentOffset", "ttl",
                    "protocol", "checksum", "srcAddr", "dstAddr"], 20),
            (ipv6, ["version", "trafficClass", "flowLabel", "payloadLength", "nextHeader", "hopLimit", "srcAddr", "dstAddr"], 40),
            (udp, ["srcPort", "dstPort", "length", "checksum"], 8),
            (tcp, ["srcPort", "dstPort", "seqNo", "ackNo", "dataOffset", "reserved", "flags", "window", "checksum", "urgentPointer"], 20),
            (vxlan, ["flags", "reserved", "vni", "reserved2"], 8),
            (geneve, ["version", "optLen", "oam", "critical", "reserved", "protocolType", "vni", "reserved2"], 8),
            (gre, ["checksumPresent", "routingPresent", "keyPresent", "sequencePresent", "reserved0", "version", "protocol"], 4),
        ]
        for (header, fields, bytes) in expected {
            let declaration = header.declaration
            XCTAssertEqual(declaration.fields.map(\.name), fields, declaration.name)
            XCTAssertEqual(declaration.fixedBits, bytes * 8, declaration.name)
            XCTAssertNil(declaration.line, "\(declaration.name) is built in")
        }
    }

    func testRolesAndLengthRules() {
        XCTAssertEqual(ipv4.declaration.role, .network(source: "srcAddr", destination: "dstAddr", nextProtocol: "protocol", length: "totalLength", lengthIncludesHeader: true))
        XCTAssertEqual(ipv6.declaration.role, .network(source: "srcAddr", destination: "dstAddr", nextProtocol: "nextHeader", length: "payloadLength", lengthIncludesHeader: false))
        XCTAssertEqual(tcp.declaration.role, .transport(sourcePort: "srcPort", destinationPort: "dstPort"))
        XCTAssertEqual(udp.declaration.role, .transport(sourcePort: "srcPort", destinationPort: "dstPort"))
        XCTAssertEqual(vxlan.declaration.role, .tunnel(vni: "vni"))
        XCTAssertEqual(geneve.declaration.role, .tunnel(vni: "vni"))
        XCTAssertNil(ethernet.declaration.role)
        XCTAssertNil(gre.declaration.role)
        XCTAssertEqual(ipv4.declaration.length, [.totalLength(field: "ihl", unit: 4)])
        XCTAssertEqual(tcp.declaration.length, [.totalLength(field: "dataOffset", unit: 4)])
        XCTAssertEqual(geneve.declaration.length, [.extraLength(field: "optLen", unit: 4)])
        XCTAssertEqual(gre.declaration.length.map(\.field), ["checksumPresent", "keyPresent", "sequencePresent"])
        XCTAssertEqual(ipv4.protocol, FieldRef(header: "ipv4", field: "protocol"))
    }
}
