// The paper's parser graph: Eth → [VLAN] → IPv4 → {UDP 4789 → VXLAN → Eth → IPv4 | IPIP → IPv4} → TCP → HTTP,
// with the W3C and B3 contexts, the NIC and the pods' vports as tracing points, and the rx and tx hops.
import Spec

let spec = MeshSpec("mesh") {
    Parser(start: "ethernet") {
        State("ethernet") {
            Extract(ethernet)
            Select(ethernet.etherType) {
                Case(0x8100, "vlan")
                Case(0x0800, "ipv4")
            }
        }
        State("vlan", maxVisits: 2) {
            Extract(vlan)
            Select(vlan.etherType) {
                Case(0x8100, "vlan")
                Case(0x0800, "ipv4")
            }
        }
        State("ipv4") {
            Extract(ipv4)
            Select(ipv4.protocol) {
                Case(6, "tcp")
                Case(17, "udp")
                Case(4, "ipip")
            }
        }
        State("udp") {
            Extract(udp)
            Select(udp.dstPort) {
                Case(4789, "vxlan")
            }
        }
        State("vxlan") {
            Extract(vxlan)
            EnterTunnel(.vxlan)
            Transition("inner_ethernet")
        }
        State("ipip") {
            EnterTunnel(.ipip)
            Transition("inner_ipv4")
        }
        State("inner_ethernet") {
            Extract(ethernet)
            Select(ethernet.etherType) {
                Case(0x0800, "inner_ipv4")
            }
        }
        State("inner_ipv4") {
            Extract(ipv4)
            Select(ipv4.protocol) {
                Case(6, "tcp")
            }
        }
        State("tcp") {
            Extract(tcp)
            Transition(.accept)
        }
    }

    HTTP(requests: true, responses: false)

    SearchWindow(bytes: 200, placement: .fixed, formats: .w3c(tracestate: false), .b3Multi)

    Record(
        .timestamp,
        .tracingPoint,
        .direction,
        .ifindex,
        .innerFiveTuple,
        .outerFiveTuple,
        .optionalField(vxlan.vni),
        .field(tcp.seqNo),
        .field(tcp.ackNo),
        .payloadLength,
        .traceContext,
        .segment
    )

    RingBuffer("events", bytes: 1 << 20)

    Table("trace_filter", keys: .exact(.inner(.destinationAddress)), .exact(.inner(.destinationPort)),
          size: 1024, defaultAction: .trace)

    TracingPoint("nic", hooks: .ingress, .egress)
    TracingPoint("vport", hooks: .ingress, .egress)

    Hop("rx", from: .ingress(of: "nic"), to: .egress(of: "vport"))
    Hop("tx", from: .ingress(of: "vport"), to: .egress(of: "nic"))

    Target(instructionBudget: 4096, profile: .unrolled)
}
