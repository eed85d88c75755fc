import Export
import Foundation
import Spec
import TraceContexts

/// Where a run sends its joined hops besides its own output: spans to an OTLP collector, points
/// to InfluxDB, a Prometheus `/metrics` endpoint. None of them is waited for: what a slow or
/// absent backend cannot take is dropped and counted (`counters`, the summary, `/metrics`).
public final class HopExporters {
    public struct Options: Sendable {
        public var otlpEndpoint: URL?
        /// Also export hops whose context says "not sampled".
        public var otlpUnsampled = false
        public var influxURL: URL?
        public var influxDatabase: String?
        /// `HOST:PORT` for `/metrics`.
        public var metricsAddress: String?
        /// The node's name on every span, point and metric.
        public var node: String

        public init(node: String) {
            self.node = node
        }

        public var isEmpty: Bool { otlpEndpoint == nil && influxURL == nil && metricsAddress == nil }
    }

    let options: Options
    let clock: KernelClock
    let otlp: OTLPExporter?
    let influx: InfluxWriter?
    let metrics: MeshtraceMetrics?
    let server: MetricsServer?

    public init(_ options: Options) throws {
        self.options = options
        let clock = KernelClock()
        self.clock = clock
        otlp = try options.otlpEndpoint.map { try OTLPExporter(options: .init(endpoint: $0, exportUnsampled: options.otlpUnsampled), clock: clock) }
        switch (options.influxURL, options.influxDatabase) {
        case (let url?, let database?): influx = try InfluxWriter(options: .init(url: url, database: database), clock: clock)
        case (nil, nil): influx = nil
        default: throw RunnerError.usage("--influx-url and --influx-database go together")
        }
        let metrics = options.metricsAddress.map { _ in MeshtraceMetrics() }
        self.metrics = metrics
        server = try options.metricsAddress.map { try MetricsServer(address: ListenAddress(parsing: $0), metrics: metrics!) }
    }

    /// Where `/metrics` is served (the real port when 0 was asked for).
    public var metricsAddress: ListenAddress? { server?.address }

    /// One joined hop, to every backend. `interface` names an event's ifindex; `replayed` hops
    /// carry capture (wall-clock) timestamps instead of the kernel's; the pod the discovery
    /// named goes on the end at `vportPoint`.
    func record(_ packet: JoinedPacket, replayed: Bool, vportPoint: String, interface: (UInt32?) -> String?) {
        let observation = Self.observation(packet, node: options.node, replayed: replayed, vportPoint: vportPoint, interface: interface)
        metrics?.record(observation)
        otlp?.submit(observation)
        influx?.submit(observation)
    }

    /// The exporters' counters by name, for the summary and `/metrics`.
    public var counters: [String: ExportCounters] {
        var counters: [String: ExportCounters] = [:]
        if let otlp { counters["otlp"] = otlp.counters }
        if let influx { counters["influx"] = influx.counters }
        return counters
    }

    /// Every second: the run's totals, for `/metrics`.
    func update(_ run: RunSummary, pendingJoins: Int) {
        guard let metrics else { return }
        var counters = RunnerCounters()
        counters.packets = run.kernel["packets"] ?? 0
        counters.events = UInt64(run.events)
        counters.joined = UInt64(run.joined)
        counters.unmatched = UInt64(run.unmatched)
        counters.timedOut = UInt64(run.timedOut)
        counters.evicted = UInt64(run.evicted)
        counters.duplicates = UInt64(run.duplicates)
        counters.kernelDrops = run.kernel["ringbuf_full"] ?? 0
        counters.userDrops = UInt64(run.userDrops)
        counters.pendingJoins = pendingJoins
        counters.kernel = run.kernel
        counters.exporters = self.counters
        counters.programRuns = run.programs?.mapValues(\.runs) ?? [:]
        counters.programNanoseconds = run.programs?.mapValues(\.nanoseconds) ?? [:]
        metrics.update(counters)
    }

    /// Sends what is queued (up to `timeout` each), counts the rest as dropped, stops `/metrics`.
    func shutdown(timeout: Duration = .seconds(5)) throws {
        otlp?.shutdown(timeout: timeout)
        influx?.shutdown(timeout: timeout)
        try server?.stop()
    }

    static func observation(_ packet: JoinedPacket, node: String, replayed: Bool, vportPoint: String,
                            interface: (UInt32?) -> String?) -> HopObservation {
        let first = packet.first, second = packet.second
        // `namespace/pod`, as discovery names it, with its Service: the pod is the packet's source
        // when the hop starts at its vport (tx), its destination when the hop ends there (rx).
        let pod = packet.names.flatMap { names -> PodIdentity? in
            let parts = (names.vportPod ?? "").split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            let services = first.point == vportPoint ? names.sourceServices : names.destinationServices
            return PodIdentity(name: parts[1], namespace: parts[0], service: services.first)
        }
        func point(_ event: PacketEvent) -> ObservationPoint {
            ObservationPoint(name: event.point ?? "?", hook: event.hook?.rawValue ?? "?", interface: interface(event.ifindex),
                             pod: event.point == vportPoint ? pod : nil)
        }
        var context: HopTraceContext?
        if case .valid(let found) = first.verdict.outcome {
            // The parser's ids are canonical already; the exporter's check cannot fail on them.
            context = try? HopTraceContext(format: found.format.label, traceId: found.traceId.hex, spanId: found.spanId.hex, sampled: found.sampling.sampled)
        }
        return HopObservation(
            hop: packet.hop, node: node, firstTimestampNs: first.timestamp ?? 0, secondTimestampNs: second.timestamp ?? 0,
            clock: replayed ? .realtime : .monotonic, context: context, from: point(first), to: point(second),
            tcpSequence: first.sequence, inner: first.inner.map(flow), outer: first.outer.map(flow),
            vni: first.fields["vxlan_vni"].map { UInt32(truncatingIfNeeded: $0) }
        )
    }

    static func flow(_ tuple: FiveTuple) -> FlowTuple {
        FlowTuple(family: tuple.family == 6 ? .ipv6 : .ipv4, transportProtocol: tuple.transportProtocol, source: tuple.source,
                  sourcePort: tuple.sourcePort, destination: tuple.destination, destinationPort: tuple.destinationPort)
    }
}
