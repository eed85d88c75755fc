import Export
import Foundation

/// Hops as the runner would hand them over, with fresh random ids and the kernel's clock.
enum Observations {
    static func randomHex(_ digits: Int) -> String {
        (0..<digits).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
    }

    /// A hop that happened just now (monotonic clock), `latencyNs` long.
    static func hop(_ name: String = "rx", node: String = "node1", latencyNs: UInt64 = 2_900, sampled: Bool? = true,
                    format: String = "w3c", traceId: String? = nil, sequence: UInt64 = UInt64.random(in: 0..<(1 << 32)),
                    pod: PodIdentity? = nil) throws -> HopObservation {
        let first = KernelClock.monotonicNs()
        let rx = name == "rx"
        let nic = ObservationPoint(name: "nic", hook: rx ? "ingress" : "egress", interface: "eth0")
        let vport = ObservationPoint(name: "vport", hook: rx ? "egress" : "ingress", interface: "veth1a2b", pod: pod)
        return HopObservation(
            hop: name, node: node, firstTimestampNs: first, secondTimestampNs: first + latencyNs,
            context: try HopTraceContext(format: format, traceId: traceId ?? randomHex(32), spanId: randomHex(16), sampled: sampled),
            from: rx ? nic : vport, to: rx ? vport : nic, tcpSequence: sequence,
            inner: FlowTuple(family: .ipv4, transportProtocol: 6, source: "10.244.1.5", sourcePort: UInt16.random(in: 32768...60999),
                             destination: "10.244.2.7", destinationPort: 8080),
            outer: FlowTuple(family: .ipv4, transportProtocol: 17, source: "198.18.0.1", sourcePort: 41000,
                             destination: "198.18.0.2", destinationPort: 4789),
            vni: 42)
    }
}
