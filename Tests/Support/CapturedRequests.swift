import Foundation
import PacketKit

/// The HTTP request packets with a W3C context in a tcpdump capture: an independent decoding of
/// the frames (Ethernet, IPv4, VXLAN, TCP) to compare the runner's joins with.
public struct CapturedRequest: Hashable, Sendable {
    public var sequence: UInt32
    public var traceId: String
    public var timestampNs: UInt64
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
            let payload = Array(bytes[(l4 + Int(bytes[l4 + 12] >> 4) * 4)...])
            let text = String(decoding: payload, as: UTF8.self)
            guard let range = text.range(of: "traceparent: 00-") else { return nil }
            let traceId = String(text[range.upperBound...].prefix(32))
            return CapturedRequest(sequence: sequence, traceId: traceId, timestampNs: frame.timestampNs)
        }
        return nil
    }
}
