import Codegen
import ObjectModel
import PacketKit
import Runner
import Spec
import TestSupport
import XCTest

/// Every path of specs/mesh.swift, through the real kernel (BPF_PROG_TEST_RUN), with the event
/// decoded and checked field by field.
final class ParserPathTests: XCTestCase {
    let mesh = Generated.Configuration(spec: "mesh")
    let request = Requests.http([("traceparent", Requests.traceparent), ("Host", "reviews:9080")])

    func event(_ packet: Packet) throws -> PacketEvent {
        let events = try Generated.runner(mesh, point: "nic").events(for: packet.frame)
        XCTAssertEqual(events.count, 1, "one event per traced packet")
        return try XCTUnwrap(events.first)
    }

    func assertInner(_ event: PacketEvent, _ packet: Packet, file: StaticString = #filePath, line: UInt = #line) {
        let expected = FiveTuple(family: 4, transportProtocol: 6, sourcePort: UInt16(packet.sourcePort), destinationPort: UInt16(packet.destinationPort),
                                 source: packet.source.map(String.init).joined(separator: "."), destination: packet.destination.map(String.init).joined(separator: "."))
        XCTAssertEqual(event.inner, expected, file: file, line: line)
        XCTAssertEqual(event.sequence, UInt64(packet.sequence), file: file, line: line)
        XCTAssertEqual(event.fields["tcp_ackNo"], UInt64(packet.acknowledgment), file: file, line: line)
        XCTAssertEqual(event.payloadLength, UInt32(packet.payload.count), file: file, line: line)
        XCTAssertEqual(event.contextValues["traceparent"], Requests.traceparent, file: file, line: line)
        XCTAssertEqual(event.contextFields.traceId, Requests.traceId, file: file, line: line)
        XCTAssertEqual(event.contextFields.spanId, Requests.spanId, file: file, line: line)
        XCTAssertTrue(event.contextFields.isValid, file: file, line: line)
        XCTAssertEqual(event.point, "nic", file: file, line: line)
        XCTAssertEqual(event.hook, .ingress, file: file, line: line)
    }

    func testPlainIPv4() throws {
        let packet = Requests.packet(request)
        let event = try event(packet)
        assertInner(event, packet)
        XCTAssertEqual(event.outer, event.inner, "without a tunnel the outer 5-tuple is the inner one")
        XCTAssertNil(event.fields["vxlan_vni"], "no VXLAN header on this path")
    }

    func testVLANStackUpToItsBound() throws {
        for tags in [[100], [100, 200]] {
            let packet = Requests.packet(request, .vlan(tags))
            assertInner(try event(packet), packet)
        }
        let tooDeep = Requests.packet(request, .vlan([1, 2, 3]))
        XCTAssertEqual(try Generated.runner(mesh).events(for: tooDeep.frame).count, 0, "maxVisits 2 bounds the VLAN stack")
    }

    func testVXLAN() throws {
        let packet = Requests.packet(request, .vxlan(vni: 0x00abcd, outerSource: [198, 18, 0, 1], outerDestination: [198, 18, 0, 2], sourcePort: 51000))
        let event = try event(packet)
        assertInner(event, packet)
        XCTAssertEqual(event.outer, FiveTuple(family: 4, transportProtocol: 17, sourcePort: 51000, destinationPort: 4789, source: "198.18.0.1", destination: "198.18.0.2"))
        XCTAssertEqual(event.fields["vxlan_vni"], 0x00abcd)
    }

    func testIPIP() throws {
        let packet = Requests.packet(request, .ipip(outerSource: [198, 18, 0, 1], outerDestination: [198, 18, 0, 2]))
        let event = try event(packet)
        assertInner(event, packet)
        XCTAssertEqual(event.outer, FiveTuple(family: 4, transportProtocol: 4, sourcePort: 0, destinationPort: 0, source: "198.18.0.1", destination: "198.18.0.2"))
    }

    func testIPv4AndTCPOptions() throws {
        var packet = Requests.packet(request, .vxlan(vni: 7, outerSource: [198, 18, 0, 1], outerDestination: [198, 18, 0, 2], sourcePort: 51000))
        packet.ipOptions = [0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00]  // router alert, NOPs, end
        packet.tcpOptions = [0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2]  // NOP NOP timestamps
        assertInner(try event(packet), packet)
    }

    func testNotTracedTraffic() throws {
        let runner = try Generated.runner(mesh)
        // TCP that is not HTTP, an HTTP request without a context, UDP, ARP, IPv6.
        var frames: [[UInt8]] = [
            Requests.packet("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}").frame,
            Requests.packet(Requests.http([("Host", "x")])).frame,
        ]
        var udp = Frame()
        udp.ethernet(etherType: 0x0800)
        udp.ipv4(source: [198, 18, 0, 1], destination: [198, 18, 0, 2], protocol: 17, payloadLength: 8 + 4)
        udp.udp(sourcePort: 5353, destinationPort: 53, payloadLength: 4)
        udp.append([1, 2, 3, 4])
        frames.append(udp.bytes)
        var arp = Frame()
        arp.ethernet(etherType: 0x0806)
        arp.append([0, 1, 8, 0, 6, 4, 0, 1] + [UInt8](repeating: 0, count: 20))
        frames.append(arp.bytes)
        var v6 = Frame()
        v6.ethernet(etherType: 0x86dd)
        let http = Array(request.utf8)
        v6.ipv6(source: [UInt8](repeating: 0x20, count: 16), destination: [UInt8](repeating: 0x21, count: 16), nextHeader: 6, payloadLength: 20 + http.count)
        v6.tcp(sourcePort: 1, destinationPort: 2, sequence: 3, acknowledgment: 4)
        v6.append(http)
        frames.append(v6.bytes)
        for frame in frames {
            XCTAssertEqual(try runner.events(for: frame).count, 0)
        }
        let counters = try runner.object.counters()
        XCTAssertEqual(counters[KernelCounter.packets.rawValue], UInt64(frames.count))
        XCTAssertEqual(counters[KernelCounter.notHTTP.rawValue], 1)
        XCTAssertEqual(counters[KernelCounter.noContext.rawValue], 1)
        XCTAssertEqual(counters[KernelCounter.notAccepted.rawValue], 3)
    }

    func testTruncatedAtEveryByteProducesNoEvent() throws {
        let runner = try Generated.runner(mesh)
        let full = Requests.packet(request, .vxlan(vni: 9, outerSource: [198, 18, 0, 1], outerDestination: [198, 18, 0, 2], sourcePort: 51000)).frame
        // BPF_PROG_TEST_RUN refuses IPv4 frames shorter than Ethernet + an IPv4 header.
        for length in 34..<full.count {
            XCTAssertEqual(try runner.events(for: Array(full.prefix(length))).count, 0, "a frame cut at \(length) bytes is not traced")
        }
        XCTAssertEqual(try runner.events(for: full).count, 1)
    }
}
