import Foundation

/// Writes joined packets, events and summaries as JSON lines or CSV.
public struct RecordWriter {
    public enum Format: String, CaseIterable, Sendable { case jsonl, csv }

    public let format: Format
    private let write: (String) -> Void

    public init(format: Format, write: @escaping (String) -> Void = { print($0) }) {
        self.format = format
        self.write = write
    }

    static let packetColumns = ["hop", "latency_ns", "trace_id", "span_id", "parent_span_id", "seq", "t1_ns", "t2_ns",
                                "src", "sport", "dst", "dport", "proto", "context_format", "context_valid"]

    public func header() {
        if format == .csv { write(Self.packetColumns.joined(separator: ",")) }
    }

    public func packet(_ packet: JoinedPacket) {
        let context = packet.first.context
        let inner = packet.first.inner
        let values: [Any?] = [
            packet.hop, packet.latencyNs, context?.traceId, context?.spanId, context?.parentSpanId, packet.first.sequence,
            packet.first.timestamp, packet.second.timestamp, inner?.source, inner?.sourcePort, inner?.destination,
            inner?.destinationPort, inner?.transportProtocol, context?.format, context?.isValid,
        ]
        switch format {
        case .jsonl: write(Self.json(["type": "packet"], zip(Self.packetColumns, values)))
        case .csv: write(values.map { Self.csvCell($0) }.joined(separator: ","))
        }
    }

    /// Every decoded event, joined or not, with the context's verdict (for `--events`).
    public func event(_ event: PacketEvent) {
        let context = event.context
        var pairs: [(String, Any?)] = [
            ("point", event.point), ("hook", event.hook?.rawValue), ("timestamp_ns", event.timestamp), ("ifindex", event.ifindex),
            ("inner", event.inner?.description), ("outer", event.outer?.description), ("payload_length", event.payloadLength),
            ("context_format", context?.format), ("trace_id", context?.traceId), ("span_id", context?.spanId),
            ("parent_span_id", context?.parentSpanId), ("flags", context?.flags), ("context_valid", context?.isValid),
            ("context_invalid_reason", context?.invalidReason),
        ]
        pairs += event.fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        write(Self.json(["type": "event"], pairs))
    }

    public func summary(_ object: [String: Any]) {
        if format == .jsonl { write(Self.json(["type": "summary"], object.map { ($0.key, $0.value) })) }
    }

    static func json<S: Sequence>(_ head: [String: String], _ pairs: S) -> String where S.Element == (String, Any?) {
        var object: [String: Any] = head
        for (key, value) in pairs {
            if let value { object[key] = value }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func csvCell(_ value: Any?) -> String {
        guard let value else { return "" }
        let text = "\(value)"
        return text.contains(where: { ",\"\n".contains($0) }) ? "\"\(text.replacingOccurrences(of: "\"", with: "\"\""))\"" : text
    }
}
