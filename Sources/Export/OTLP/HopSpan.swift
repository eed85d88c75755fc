import Foundation

/// A hop as an OTLP span: the request's trace, under the span that sent it.
///
/// Kind INTERNAL: the span is an observation of the network between two processes, not a call
/// meshtrace made or served. CLIENT would tell trace backends (Tempo's and Jaeger's service
/// graphs, span metrics) that meshtrace called someone and make them look for a SERVER span
/// that never comes, inventing an edge; INTERNAL keeps the request's own client/server pair the
/// only edge and shows the hop as time spent inside it.
struct HopSpan: Sendable {
    static let scopeName = "meshtrace"

    let observation: HopObservation
    let context: HopTraceContext
    /// Nanoseconds since the Unix epoch at `from`; the end is this plus the hop's latency.
    let startUnixNs: UInt64

    typealias Span = Opentelemetry_Proto_Trace_V1_Span
    typealias KeyValue = Opentelemetry_Proto_Common_V1_KeyValue

    var spanId: [UInt8] {
        HopSpanID.make(traceId: context.traceId, hop: observation.hop, node: observation.node,
                       sequence: observation.tcpSequence, firstTimestampNs: observation.firstTimestampNs)
    }

    var span: Span {
        var span = Span()
        span.traceID = Data(TraceIdentifier.bytes(context.traceId))
        span.spanID = Data(spanId)
        span.parentSpanID = Data(TraceIdentifier.bytes(context.parentSpanId))
        // W3C sampled bit as the context says, and: the parent is known to be remote (another process).
        span.flags = (context.sampled == true ? 0x01 : 0x00) | 0x100 | 0x200
        span.name = "network \(observation.hop)"
        span.kind = .internal
        span.startTimeUnixNano = startUnixNs
        span.endTimeUnixNano = UInt64(bitPattern: Int64(bitPattern: startUnixNs) &+ observation.latencyNs)
        span.attributes = attributes
        return span
    }

    /// OpenTelemetry's semantic conventions where one fits, `meshtrace.*` for the rest. The inner
    /// tuple is the packet's source/destination (a pass-through observer's view) and, since the
    /// packet is an HTTP request, also its client/server. network.peer.* and network.local.* are
    /// left out: they describe a socket's own end, and meshtrace has no socket here.
    var attributes: [KeyValue] {
        var list: [KeyValue] = []
        list.reserveCapacity(32)
        let o = observation
        list.append(.string("meshtrace.hop", o.hop))
        list.append(.string("meshtrace.node", o.node))
        list.append(.string("meshtrace.point.from", o.from.name))
        list.append(.string("meshtrace.hook.from", o.from.hook))
        list.append(.string("meshtrace.point.to", o.to.name))
        list.append(.string("meshtrace.hook.to", o.to.hook))
        if let name = o.from.interface { list.append(.string("meshtrace.interface.from", name)) }
        if let name = o.to.interface { list.append(.string("meshtrace.interface.to", name)) }
        list.append(.string("meshtrace.trace_context.format", context.format))
        if let sequence = o.tcpSequence { list.append(.int("meshtrace.tcp.seq", Int64(truncatingIfNeeded: sequence))) }
        if let vni = o.vni { list.append(.int("meshtrace.vni", Int64(vni))) }
        if let inner = o.inner {
            if let transport = inner.transportName { list.append(.string("network.transport", transport)) }
            list.append(.string("network.type", inner.family.rawValue))
            list.append(.string("source.address", inner.source))
            list.append(.int("source.port", Int64(inner.sourcePort)))
            list.append(.string("destination.address", inner.destination))
            list.append(.int("destination.port", Int64(inner.destinationPort)))
            list.append(.string("client.address", inner.source))
            list.append(.int("client.port", Int64(inner.sourcePort)))
            list.append(.string("server.address", inner.destination))
            list.append(.int("server.port", Int64(inner.destinationPort)))
        }
        if let outer = o.outer {
            list.append(.string("meshtrace.outer.source.address", outer.source))
            list.append(.int("meshtrace.outer.source.port", Int64(outer.sourcePort)))
            list.append(.string("meshtrace.outer.destination.address", outer.destination))
            list.append(.int("meshtrace.outer.destination.port", Int64(outer.destinationPort)))
        }
        if let pod = o.from.pod ?? o.to.pod {
            list.append(.string("k8s.pod.name", pod.name))
            list.append(.string("k8s.namespace.name", pod.namespace))
            if let service = pod.service { list.append(.string("meshtrace.pod.service", service)) }
        }
        return list
    }
}

extension Opentelemetry_Proto_Common_V1_KeyValue {
    static func string(_ key: String, _ value: String) -> Self {
        var pair = Self()
        pair.key = key
        pair.value.stringValue = value
        return pair
    }

    static func int(_ key: String, _ value: Int64) -> Self {
        var pair = Self()
        pair.key = key
        pair.value.intValue = value
        return pair
    }
}
