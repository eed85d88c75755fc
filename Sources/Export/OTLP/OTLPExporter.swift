import Foundation
import SwiftProtobuf

/// Exports every joined hop as a span of the request's own trace over OTLP/HTTP with protobuf
/// (`POST {endpoint}/v1/traces`, `application/x-protobuf`). `submit` never blocks: batches go out
/// from the exporter's own thread, and what a slow or dead collector cannot take is dropped and
/// counted in `counters`.
public final class OTLPExporter: Sendable {
    public struct Options: Sendable {
        /// The collector, `http://collector:4318`; `/v1/traces` is appended unless the path already ends with it.
        public var endpoint: URL
        /// Export hops of contexts whose sampling decision is "not sampled" (W3C flags 00, B3 0).
        /// Off by default: the trace's owner decided not to record it; its spans would be orphans.
        public var exportUnsampled: Bool
        public var delivery: DeliveryOptions

        public init(endpoint: URL, exportUnsampled: Bool = false, delivery: DeliveryOptions = DeliveryOptions()) {
            self.endpoint = endpoint
            self.exportUnsampled = exportUnsampled
            self.delivery = delivery
        }
    }

    public let tracesURL: URL
    public let options: Options
    private let clock: KernelClock
    private let delivery: HTTPDelivery<HopSpan>

    public init(options: Options, clock: KernelClock) throws {
        try HTTPPoster.check(options.endpoint, what: "OTLP endpoint")
        let url = options.endpoint.path.hasSuffix("/v1/traces") ? options.endpoint : options.endpoint.appendingPathComponent("v1/traces")
        tracesURL = url
        self.options = options
        self.clock = clock
        delivery = HTTPDelivery(name: "meshtrace-otlp", options: options.delivery) { spans, poster in
            Self.post(spans, to: url, with: poster)
        }
    }

    /// Queues the hop's span; returns at once. false when it is not exported: filtered (no trace
    /// context, unsampled) or dropped because the queue is full; both are counted.
    @discardableResult
    public func submit(_ hop: HopObservation) -> Bool {
        guard let context = hop.context, options.exportUnsampled || context.sampled != false else {
            delivery.count(\.filtered)
            return false
        }
        let start = hop.clock == .monotonic ? clock.wallClockNs(monotonicNs: hop.firstTimestampNs) : hop.firstTimestampNs
        return delivery.submit(HopSpan(observation: hop, context: context, startUnixNs: start))
    }

    public var counters: ExportCounters { delivery.counters }

    /// Why the last request failed; nil until one has.
    public var lastFailure: String? { delivery.lastFailure }

    /// Waits until what was submitted so far is sent or dropped; false if `timeout` came first.
    @discardableResult
    public func flush(timeout: Duration) -> Bool { delivery.flush(timeout: timeout) }

    /// Sends what is queued (retrying until `timeout`), then stops; the rest is counted as dropped.
    public func shutdown(timeout: Duration) { delivery.shutdown(timeout: timeout) }

    static func request(for spans: [HopSpan]) -> Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest {
        var request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
        // One resource per node: a runner has one, but nothing here needs to assume it.
        var byNode: [String: [HopSpan]] = [:]
        var order: [String] = []
        for span in spans {
            if byNode[span.observation.node] == nil { order.append(span.observation.node) }
            byNode[span.observation.node, default: []].append(span)
        }
        for node in order {
            var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
            resourceSpans.resource.attributes = [.string("service.name", "meshtrace"), .string("host.name", node)]
            var scopeSpans = Opentelemetry_Proto_Trace_V1_ScopeSpans()
            scopeSpans.scope.name = HopSpan.scopeName
            scopeSpans.spans = byNode[node]!.map(\.span)
            resourceSpans.scopeSpans = [scopeSpans]
            request.resourceSpans.append(resourceSpans)
        }
        return request
    }

    private static func post(_ spans: [HopSpan], to url: URL, with poster: HTTPPoster) -> DeliveryOutcome {
        let body: Data
        do {
            body = try request(for: spans).serializedData()
        } catch {
            return .refused("encoding \(spans.count) span(s) failed: \(error)")
        }
        return poster.deliver(body, to: url, contentType: "application/x-protobuf") { response in
            // A receiver that could not take every span says so in a partial success.
            guard let answer = try? Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse(serializedBytes: response.body),
                  answer.hasPartialSuccess, answer.partialSuccess.rejectedSpans > 0 else {
                return .delivered(rejected: 0, reason: nil)
            }
            let rejected = Int(min(answer.partialSuccess.rejectedSpans, Int64(spans.count)))
            return .delivered(rejected: rejected, reason: "collector rejected \(rejected) span(s): \(answer.partialSuccess.errorMessage)")
        }
    }
}
