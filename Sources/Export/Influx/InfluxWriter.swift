import Foundation

/// Writes one InfluxDB point per joined hop over the v1 HTTP API (`POST {url}/write?db=DB&precision=ns`):
/// measurement `meshtrace_hop`; tags hop, node, point_from, point_to; fields latency_ns, seq,
/// trace_id; time = when the packet passed the hop's first point, as wall-clock nanoseconds.
/// Same delivery as the OTLP exporter: bounded queue, batches, retries, counted drops.
public final class InfluxWriter: Sendable {
    public struct Options: Sendable {
        /// The server, `http://influx:8086`.
        public var url: URL
        public var database: String
        public var delivery: DeliveryOptions

        public init(url: URL, database: String, delivery: DeliveryOptions = DeliveryOptions()) {
            self.url = url
            self.database = database
            self.delivery = delivery
        }
    }

    public static let measurement = "meshtrace_hop"

    public let writeURL: URL
    private let clock: KernelClock
    private let delivery: HTTPDelivery<String>

    public init(options: Options, clock: KernelClock) throws {
        try HTTPPoster.check(options.url, what: "InfluxDB URL")
        guard !options.database.isEmpty else { throw ExportError.badEndpoint("InfluxDB database name is empty") }
        var components = URLComponents(url: options.url.appendingPathComponent("write"), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "db", value: options.database), URLQueryItem(name: "precision", value: "ns")]
        guard let url = components.url else { throw ExportError.badEndpoint("cannot form a write URL from '\(options.url.absoluteString)'") }
        writeURL = url
        self.clock = clock
        delivery = HTTPDelivery(name: "meshtrace-influx", options: options.delivery) { lines, poster in
            poster.deliver(Data(lines.joined(separator: "\n").utf8), to: url, contentType: "text/plain; charset=utf-8")
        }
    }

    /// Queues the hop's point; returns at once. false when it is dropped (queue full, or the
    /// point cannot be written in line protocol), counted either way.
    @discardableResult
    public func submit(_ hop: HopObservation) -> Bool {
        let time = hop.clock == .monotonic ? clock.wallClockNs(monotonicNs: hop.firstTimestampNs) : hop.firstTimestampNs
        guard let line = try? Self.line(for: hop, timestampNs: time) else {
            delivery.count(\.droppedUnencodable)
            return false
        }
        return delivery.submit(line)
    }

    public var counters: ExportCounters { delivery.counters }

    public var lastFailure: String? { delivery.lastFailure }

    @discardableResult
    public func flush(timeout: Duration) -> Bool { delivery.flush(timeout: timeout) }

    public func shutdown(timeout: Duration) { delivery.shutdown(timeout: timeout) }

    static func line(for hop: HopObservation, timestampNs: UInt64) throws -> String {
        var fields: [(String, LineProtocol.FieldValue)] = [("latency_ns", .integer(hop.latencyNs))]
        if let sequence = hop.tcpSequence { fields.append(("seq", .integer(Int64(truncatingIfNeeded: sequence)))) }
        if let context = hop.context { fields.append(("trace_id", .string(context.traceId))) }
        return try LineProtocol.line(
            measurement: measurement,
            tags: [("hop", hop.hop), ("node", hop.node), ("point_from", hop.from.name), ("point_to", hop.to.name)],
            fields: fields, timestampNs: Int64(bitPattern: timestampNs))
    }
}
