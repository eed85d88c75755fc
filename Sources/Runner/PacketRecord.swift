import Foundation

/// One joined packet as the runner prints it: a JSON line `{"type":"packet",…}` (snake-case keys,
/// absent values omitted) or a CSV row in `columns` order. `meshtrace-lab` reads it back with this type.
public struct PacketRecord: Codable, Sendable, Equatable {
    public var type = "packet"
    public var hop: String
    public var latencyNs: Int64
    public var traceId: String?
    public var spanId: String?
    public var parentSpanId: String?
    public var seq: UInt64?
    /// Request offset of the segment the context began in (`.segment`; 0: the first, or coalesced).
    public var segmentOffset: UInt32?
    /// Kernel timestamps (CLOCK_MONOTONIC) at the hop's first and second point.
    public var t1Ns: UInt64?
    public var t2Ns: UInt64?
    public var src: String?
    public var sport: UInt16?
    public var dst: String?
    public var dport: UInt16?
    public var proto: UInt8?
    public var contextFormat: String?
    public var contextValid: Bool?
    /// `valid`, `valid_without_ids`, `opaque` or `invalid` (VerdictFields).
    public var contextVerdict: String?
    public var contextInvalidReason: String?
    /// `namespace/pod` of the inner source and destination, the Services (comma-separated) whose
    /// endpoints hold them, and the pod behind the hop's vport: set when the runner knows them.
    public var srcPod: String?
    public var dstPod: String?
    public var srcService: String?
    public var dstService: String?
    public var pod: String?

    public init(_ packet: JoinedPacket) {
        let context = VerdictFields(packet.first.verdict)
        let inner = packet.first.inner
        hop = packet.hop
        latencyNs = packet.latencyNs
        traceId = context.traceId
        spanId = context.spanId
        parentSpanId = context.parentSpanId
        seq = packet.first.sequence
        segmentOffset = packet.first.segmentOffset
        t1Ns = packet.first.timestamp
        t2Ns = packet.second.timestamp
        src = inner?.source
        sport = inner?.sourcePort
        dst = inner?.destination
        dport = inner?.destinationPort
        proto = inner?.transportProtocol
        contextFormat = context.format
        contextValid = context.isValid
        contextVerdict = context.verdict
        contextInvalidReason = context.reason
        let names = packet.names
        srcPod = names?.sourcePod
        dstPod = names?.destinationPod
        srcService = names.flatMap { $0.sourceServices.isEmpty ? nil : $0.sourceServices.joined(separator: ",") }
        dstService = names.flatMap { $0.destinationServices.isEmpty ? nil : $0.destinationServices.joined(separator: ",") }
        pod = names?.vportPod
    }

    /// The CSV header, in column order.
    public static let columns = ["hop", "latency_ns", "trace_id", "span_id", "parent_span_id", "seq", "segment_offset", "t1_ns", "t2_ns",
                                 "src", "sport", "dst", "dport", "proto", "context_format", "context_valid", "context_verdict",
                                 "context_invalid_reason", "src_pod", "dst_pod", "src_service", "dst_service", "pod"]

    /// The CSV cells, in `columns` order (empty for absent values).
    public var cells: [String] {
        let values: [(any CustomStringConvertible)?] = [hop, latencyNs, traceId, spanId, parentSpanId, seq, segmentOffset, t1Ns, t2Ns,
                                                          src, sport, dst, dport, proto, contextFormat, contextValid, contextVerdict,
                                                          contextInvalidReason, srcPod, dstPod, srcService, dstService, pod]
        return values.map { $0.map { "\($0)" } ?? "" }
    }

    /// The record in a JSON line, or nil when the line is another record.
    public static func decoded(line: Substring) -> PacketRecord? {
        guard line.contains("\"type\":\"packet\"") else { return nil }
        return try? RecordCoding.decoder.decode(PacketRecord.self, from: Data(line.utf8))
    }
}

/// The JSON coding of the runner's records: snake-case keys, sorted, no escaped slashes.
public enum RecordCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}
