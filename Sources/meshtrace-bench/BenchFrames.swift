import Lab
import PacketKit
import Runner

/// The frames the benchmark runs, VXLAN-encapsulated like the lab's pod-to-pod traffic.
enum BenchFrames {
    static let vxlan = Packet.Encapsulation.vxlan(vni: 42, outerSource: [198, 18, 0, 1], outerDestination: [198, 18, 0, 2], sourcePort: 50000)
    static let traceparent = "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
    /// Every context header `specs/mesh.swift` asks for (W3C without tracestate, B3 multi with
    /// x-b3-flags): once all are found, the search ends.
    static let everyContext = traceparent + "x-b3-traceid: 4bf92f3577b34da6a3ce929d0e0e4736\r\nx-b3-spanid: 00f067aa0ba902b7\r\n"
        + "x-b3-parentspanid: 00f067aa0ba902b6\r\nx-b3-sampled: 1\r\nx-b3-flags: 1\r\n"
    static let requestLine = "GET /productpage HTTP/1.1\r\n"
    static let host = "Host: reviews:9080\r\n"
    /// Ethernet, outer IPv4, UDP, VXLAN, inner Ethernet, inner IPv4, TCP.
    static let headerBytes = 14 + 20 + 8 + 8 + 14 + 20 + 20
    /// The longest header block one BPF_PROG_TEST_RUN frame holds.
    static let maxBlock = FrameRunner.maxFrameBytes - headerBytes

    enum Position: String, CaseIterable, Codable {
        case first, middle, last
        /// every context the spec knows, first (the search can stop early in `anywhere`)
        case everyFirst = "every-first"
    }

    struct Request {
        var frame: [UInt8]
        /// request line to blank line, bytes
        var block: Int
        var contextOffset: Int
    }

    /// A GET whose header block is about `block` bytes, the context lines at `position`: right
    /// after the request line (first), after Host and half the padding (middle), or right
    /// before the blank line (last).
    static func request(block: Int, position: Position) -> Request {
        let (packet, text, offset) = request(block: block, at: position)
        return Request(frame: packet.frame, block: text.utf8.count, contextOffset: offset)
    }

    /// The request's packet (its TCP fields can be changed before its frame is taken).
    static func requestPacket(block: Int, position: Position) -> Packet {
        request(block: block, at: position).packet
    }

    private static func request(block: Int, at position: Position) -> (packet: Packet, text: String, contextOffset: Int) {
        let contexts = position == .everyFirst ? everyContext : traceparent
        let padding = block - requestLine.utf8.count - host.utf8.count - contexts.utf8.count - 2
        let before = switch position {
        case .first, .everyFirst: 0
        case .middle: padding / 2
        case .last: padding
        }
        let head = position == .first || position == .everyFirst
            ? requestLine + contexts + host
            : requestLine + host + HTTPRequest.paddingHeaders(bytes: before)
        let text = head + (position == .middle || position == .last ? contexts : "")
            + HTTPRequest.paddingHeaders(bytes: padding - before) + "\r\n"
        let offset = position == .first || position == .everyFirst ? requestLine.utf8.count : head.utf8.count
        var packet = Packet(http: text)
        packet.encapsulation = vxlan
        return (packet, text, offset)
    }

    /// The packets that are not HTTP requests, each stopped by a different check.
    static var nonHTTP: [(String, [UInt8])] {
        var ack = Packet()
        ack.encapsulation = vxlan
        var tls = Packet(payload: [0x17, 0x03, 0x03, 0x00, 0x5b] + [UInt8](repeating: 0xa5, count: 91))
        tls.encapsulation = vxlan
        var udp = Frame()
        udp.ethernet(etherType: 0x0800)
        udp.ipv4(source: [198, 18, 0, 1], destination: [198, 18, 0, 2], protocol: 17, payloadLength: 8 + 40)
        udp.udp(sourcePort: 5353, destinationPort: 53, payloadLength: 40)
        udp.append([UInt8](repeating: 0, count: 40))
        var arp = Frame()
        arp.ethernet(etherType: 0x0806, destination: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        arp.append([0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 198, 18, 0, 1, 0, 0, 0, 0, 0, 0, 198, 18, 0, 2])
        var ipv6 = Frame()
        ipv6.ethernet(etherType: 0x86dd)
        ipv6.ipv6(source: [0xfd] + [UInt8](repeating: 0, count: 14) + [1], destination: [0xfd] + [UInt8](repeating: 0, count: 14) + [2], nextHeader: 6, payloadLength: 20)
        ipv6.tcp(sourcePort: 40000, destinationPort: 9080, sequence: 1, acknowledgment: 1, flags: 0x10)
        return [
            ("TCP ACK, no payload (VXLAN)", ack.frame),
            ("TCP data, not HTTP (VXLAN)", tls.frame),
            ("UDP (DNS)", udp.bytes),
            ("ARP", arp.bytes),
            ("IPv6 TCP (spec has no IPv6)", ipv6.bytes),
        ]
    }

    /// The request the filtered-flow class sends: the table's entry for its inner destination says skip.
    static let filteredClass = "filtered flow (table: skip)"
    static let filteredEntry = TableEntry(table: "trace_filter", keys: ["198.19.2.2", "9080"], action: .skip)
}
