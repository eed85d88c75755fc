// Plain HTTP without tunnels: what a pod's vport sees. Every context format, anywhere in the header block.
import Spec

let spec = MeshSpec("plain-http") {
    Parser(start: "ethernet") {
        State("ethernet") {
            Extract(ethernet)
            Select(ethernet.etherType) {
                Case(0x0800, "ipv4")
            }
        }
        State("ipv4") {
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

    HTTP(requests: true, responses: true)

    SearchWindow(bytes: 1024, placement: .anywhere, formats: .w3c(tracestate: true), .b3Multi, .b3Single, .jaeger)

    Record(
        .timestamp,
        .tracingPoint,
        .direction,
        .ifindex,
        .innerFiveTuple,
        .field(tcp.seqNo),
        .payloadLength,
        .traceContext
    )

    TracingPoint("vport", hooks: .ingress, .egress)
    Hop("through", from: .ingress(of: "vport"), to: .egress(of: "vport"))
}
