import Foundation
import PacketKit

/// The HTTP request packets with a W3C context in a tcpdump capture: an independent decoding of
/// the frames (Ethernet, IPv4, VXLAN, TCP) to compare the runner's joins with.
public struct CapturedRequest: Hashable, Sendable {
    public var sequence: UInt32
    public var traceId: String
    public var timestampNs: UInt64
}

/// One TCP segment of a capture: its inner addresses and ports, flags, sequence number and payload.
public struct CapturedSegment: Sendable {
    public var flow: String
    public var sequence: UInt32
    public var flags: UInt8
    public var payload: [UInt8]
    public var timestampNs: UInt64

    public var isSYN: Bool { flags & 0x02 != 0 }
}

public enum CapturedRequests {
    public static func read(_ path: String) throws -> [CapturedRequest] {
        try CaptureReader.frames(in: path).compactMap(segment).compactMap { segment in
            traceId(in: segment.payload).map { CapturedRequest(sequence: segment.sequence, traceId: $0, timestampNs: segment.timestampNs) }
        }
    }

    /// Every TCP segment of a capture.
    public static func segments(_ path: String) throws -> [CapturedSegment] {
        try CaptureReader.frames(in: path).compactMap(segment)
    }

    /// The requests of a capture as the client sent them, reassembled from their segments (in
    /// sequence order, each byte once): the sequence number of each request's first byte and its
    /// trace id. The first segment at a request's start is its timestamp.
    public static func reassembled(_ path: String) throws -> [CapturedRequest] {
        var flows: [String: [CapturedSegment]] = [:]
        for segment in try segments(path) { flows[segment.flow, default: []].append(segment) }
        var requests: [CapturedRequest] = []
        for segments in flows.values {
            guard let syn = segments.first(where: \.isSYN) else { continue }
            let start = syn.sequence &+ 1
            var bytes: [UInt8] = []
            var first: UInt64?
            for segment in segments.filter({ !$0.payload.isEmpty }).sorted(by: { $0.sequence &- start < $1.sequence &- start }) {
                let offset = Int(segment.sequence &- start)
                guard offset <= bytes.count, offset + segment.payload.count > bytes.count else { continue }
                if offset == 0 { first = first ?? segment.timestampNs }
                bytes += segment.payload[(bytes.count - offset)...]
            }
            if let traceId = traceId(in: bytes), let first {
                requests.append(CapturedRequest(sequence: start, traceId: traceId, timestampNs: first))
            }
        }
        return requests
    }

    static func traceId(in payload: [UInt8]) -> String? {
        let text = String(decoding: payload, as: UTF8.self)
        guard let range = text.range(of: "traceparent: 00-") else { return nil }
        return String(text[range.upperBound...].prefix(32))
    }

    static func segment(_ frame: CapturedFrame) -> CapturedSegment? {
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
            let address = { (at: Int) in bytes[at..<(at + 4)].map(String.init).joined(separator: ".") }
            let flow = "\(address(offset + 12)):\(be16(l4)) > \(address(offset + 16)):\(be16(l4 + 2))"
            let sequence = UInt32(be16(l4 + 4)) << 16 | UInt32(be16(l4 + 6))
            let end = min(bytes.count, offset + be16(offset + 2))
            let start = l4 + Int(bytes[l4 + 12] >> 4) * 4
            let payload = start < end ? Array(bytes[start..<end]) : []
            return CapturedSegment(flow: flow, sequence: sequence, flags: bytes[l4 + 13], payload: payload, timestampNs: frame.timestampNs)
        }
        return nil
    }
}
