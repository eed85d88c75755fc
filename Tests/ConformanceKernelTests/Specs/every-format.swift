// specs/mesh.swift's parser graph with every trace-context format on and a 4 KiB window: the object
// ConformanceKernelTests runs every vector of Tests/Conformance through (placement and profile overridden).
import Spec

let spec = MeshSpec("every-format") {
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

    SearchWindow(bytes: 4096, placement: .fixed,
                 formats: .w3c(tracestate: true), .b3Multi, .b3Single, .jaeger, .custom(name: "x-request-id", maxValueBytes: 36))

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
        .traceContext
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
