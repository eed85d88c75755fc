import Foundation

/// Writes joined packets, events and summaries as JSON lines or CSV.
public struct RecordWriter {
    /// `summary`: no line per packet (a node agent whose hops go to the exporters: a JSON line
    /// per joined packet costs the runner more than the join), the summary still as JSON.
    public enum Format: String, CaseIterable, Sendable { case jsonl, csv, summary }

    public let format: Format
    private let write: (String) -> Void

    public init(format: Format, write: @escaping (String) -> Void = { print($0) }) {
        self.format = format
        self.write = write
    }

    public func header() {
        if format == .csv { write(PacketRecord.columns.joined(separator: ",")) }
    }

    public func packet(_ packet: JoinedPacket) {
        switch format {
        // Strings, integers and booleans only: JSONEncoder has nothing here it could refuse.
        case .jsonl: write(String(decoding: try! RecordCoding.encoder.encode(PacketRecord(packet)), as: UTF8.self))
        case .csv: write(PacketRecord(packet).cells.map(Self.csvCell).joined(separator: ","))
        case .summary: break
        }
    }

    /// Every decoded event, joined or not, with the context's verdict (for `--events`), and the
    /// pod behind its vport when the runner knows it.
    public func event(_ event: PacketEvent, pod: String? = nil) {
        let context = VerdictFields(event.verdict)
        var pairs: [(String, Any?)] = [
            ("point", event.point), ("hook", event.hook?.rawValue), ("timestamp_ns", event.timestamp), ("ifindex", event.ifindex),
            ("inner", event.inner?.description), ("outer", event.outer?.description), ("payload_length", event.payloadLength),
            ("context_format", context.format), ("context_verdict", context.verdict), ("trace_id", context.traceId),
            ("span_id", context.spanId), ("parent_span_id", context.parentSpanId), ("sampled", context.sampled),
            ("context_value", context.value), ("context_valid", context.isValid), ("context_invalid_reason", context.reason),
            ("pod", pod),
        ]
        pairs += event.fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        pairs += event.byteFields.sorted { $0.key < $1.key }.map { ($0.key, $0.value.map { String(format: "%02x", $0) }.joined()) }
        write(Self.json(["type": "event"], pairs))
    }

    public func summary(_ run: RunSummary) throws {
        if format != .csv { write(String(decoding: try RecordCoding.encoder.encode(run), as: UTF8.self)) }
    }

    static func json<S: Sequence>(_ head: [String: String], _ pairs: S) -> String where S.Element == (String, Any?) {
        var object: [String: Any] = head
        for (key, value) in pairs {
            if let value { object[key] = value }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func csvCell(_ text: String) -> String {
        text.contains(where: { ",\"\n".contains($0) }) ? "\"\(text.replacingOccurrences(of: "\"", with: "\"\""))\"" : text
    }
}
