import Foundation

/// An HTTP request packet with a trace context (W3C or B3) in a tcpdump capture: an independent
/// decoding of the frames (Ethernet, IPv4, VXLAN, TCP) to hold the runner's joins against.
public struct CapturedRequest: Hashable, Sendable {
    public var sequence: UInt32
    /// The `traceparent`'s trace id, else `x-b3-traceid`'s.
    public var traceId: String
    public var timestampNs: UInt64
    /// The inner (pod-to-pod) addresses and ports, VXLAN taken off.
    public var source: String
    public var sourcePort: UInt16
    public var destination: String
    public var destinationPort: UInt16
    /// The TCP payload.
    public var payload: [UInt8]

    /// The packet's identity on both sides of the overlay: inner 5-tuple (TCP) and sequence number.
    public var key: String { "\(source):\(sourcePort)>\(destination):\(destinationPort)/\(sequence)" }
}

public enum CapturedRequests {
    public static func read(_ path: String) throws -> [CapturedRequest] {
        try CaptureReader.frames(in: path).compactMap(decode)
    }

    static func decode(_ frame: CapturedFrame) -> CapturedRequest? {
        let bytes = frame.bytes
        var offset = 14
        guard bytes.count > offset, bytes[12] == 0x08, bytes[13] == 0x00 else { return nil }
        func be16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
        func address(_ at: Int) -> String { bytes[at..<(at + 4)].map(String.init).joined(separator: ".") }
        // Outer IPv4; a VXLAN packet goes one Ethernet frame deeper.
        for _ in 0..<2 {
            guard bytes.count >= offset + 20 else { return nil }
            let headerLength = Int(bytes[offset] & 0x0f) * 4
            let proto = bytes[offset + 9]
            let l4 = offset + headerLength
            if proto == 17, bytes.count >= l4 + 8 + 8 + 14, be16(l4 + 2) == 4789 {
                offset = l4 + 8 + 8 + 14
                continue
            }
            guard proto == 6, bytes.count >= l4 + 20 else { return nil }
            let sequence = UInt32(be16(l4 + 4)) << 16 | UInt32(be16(l4 + 6))
            let payload = Array(bytes[min(bytes.count, l4 + Int(bytes[l4 + 12] >> 4) * 4)...])
            guard let traceId = traceId(in: payload) else { return nil }
            return CapturedRequest(
                sequence: sequence, traceId: traceId, timestampNs: frame.timestampNs,
                source: address(offset + 12), sourcePort: UInt16(be16(l4)), destination: address(offset + 16),
                destinationPort: UInt16(be16(l4 + 2)), payload: payload)
        }
        return nil
    }

    /// The trace id of the payload's `traceparent` or `x-b3-traceid` header (any case), if it has one.
    static func traceId(in payload: [UInt8]) -> String? {
        let text = String(decoding: payload, as: UTF8.self).lowercased()
        if let range = text.range(of: "\r\ntraceparent: 00-") { return String(text[range.upperBound...].prefix(32)) }
        if let range = text.range(of: "\r\nx-b3-traceid: ") {
            return String(text[range.upperBound...].prefix { $0.isHexDigit })
        }
        return nil
    }
}
