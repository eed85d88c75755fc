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
        try CaptureReader.frames(in: path).compactMap(decode)
    }

    /// Every TCP segment of a capture.
    public static func segments(_ path: String) throws -> [CapturedSegment] {
        try CaptureReader.frames(in: path).compactMap { frame in
            decodeTCP(frame).map {
                CapturedSegment(flow: "\($0.source):\($0.sourcePort) > \($0.destination):\($0.destinationPort)", sequence: $0.sequence,
                                flags: $0.flags, payload: $0.payload, timestampNs: frame.timestampNs)
            }
        }
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
            let ends = syn.flow.split(separator: " ").map(String.init)
            if let traceId = traceId(in: bytes), let first, ends.count == 3 {
                let source = ends[0].split(separator: ":"), destination = ends[2].split(separator: ":")
                requests.append(CapturedRequest(
                    sequence: start, traceId: traceId, timestampNs: first, source: String(source[0]),
                    sourcePort: UInt16(source[1]) ?? 0, destination: String(destination[0]),
                    destinationPort: UInt16(destination[1]) ?? 0, payload: bytes))
            }
        }
        return requests
    }

    static func decode(_ frame: CapturedFrame) -> CapturedRequest? {
        guard let tcp = decodeTCP(frame), let traceId = traceId(in: tcp.payload) else { return nil }
        return CapturedRequest(
            sequence: tcp.sequence, traceId: traceId, timestampNs: frame.timestampNs, source: tcp.source,
            sourcePort: tcp.sourcePort, destination: tcp.destination, destinationPort: tcp.destinationPort, payload: tcp.payload)
    }

    /// A frame's TCP segment (Ethernet, IPv4, VXLAN taken off), if it carries one.
    static func decodeTCP(_ frame: CapturedFrame)
        -> (source: String, sourcePort: UInt16, destination: String, destinationPort: UInt16, sequence: UInt32, flags: UInt8, payload: [UInt8])? {
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
            return (address(offset + 12), UInt16(be16(l4)), address(offset + 16), UInt16(be16(l4 + 2)), sequence, bytes[l4 + 13], payload)
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
