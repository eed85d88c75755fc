import PacketKit

/// HTTP/1.1 messages and trace contexts for the tests.
public enum Requests {
    public static let traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
    public static let spanId = "00f067aa0ba902b7"
    public static let traceparent = "00-\(traceId)-\(spanId)-01"

    /// A request line, the headers in order, and the blank line.
    public static func http(_ headers: [(String, String)], method: String = "GET", target: String = "/productpage") -> String {
        "\(method) \(target) HTTP/1.1\r\n" + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
    }

    /// `count` filler headers of about `each` bytes, to push a context deeper into the block.
    public static func filler(count: Int, each: Int = 40) -> [(String, String)] {
        (0..<count).map { ("x-filler-\($0)", String(repeating: "v", count: max(1, each - 14))) }
    }

    public static func packet(_ http: String, _ encapsulation: Packet.Encapsulation = .none) -> Packet {
        var packet = Packet(http: http)
        packet.encapsulation = encapsulation
        return packet
    }
}
