// Geneve, GRE and IPIP overlays over IPv4 or IPv6, plain IPv6 pods, and a custom context header
// next to W3C: what a demanding overlay looks like, searched anywhere in a 1 KiB window.
import Spec

/// The states that parse an IP header and branch on what it carries; `prefix` names the layer.
func ipStates(_ prefix: String, tunnels: Bool) -> [State] {
    [
        State("\(prefix)ipv4") {
            Extract(ipv4)
            Select(ipv4.protocol) {
                Case(6, "tcp")
                if tunnels {
                    Case(17, "udp")
                    Case(4, "ipip")
                    Case(47, "gre")
                }
            }
        },
        State("\(prefix)ipv6") {
            Extract(ipv6)
            Select(ipv6.nextHeader) {
                Case(6, "tcp")
                if tunnels {
                    Case(17, "udp")
                    Case(4, "ipip")
                    Case(47, "gre")
                }
            }
        },
    ]
}

let spec = MeshSpec("overlays") {
    Parser(start: "ethernet") {
        State("ethernet") {
            Extract(ethernet)
            Select(ethernet.etherType) {
                Case(0x0800, "ipv4")
                Case(0x86dd, "ipv6")
            }
        }
        ipStates("", tunnels: true)
        State("udp") {
            Extract(udp)
            Select(udp.dstPort) {
                Case(6081, "geneve")
            }
        }
        State("geneve") {
            Extract(geneve)
            EnterTunnel(.geneve)
            Select(geneve.protocolType) {
                Case(0x6558, "inner_ethernet")
                Case(0x0800, "inner_ipv4")
                Case(0x86dd, "inner_ipv6")
            }
        }
        State("gre") {
            Extract(gre)
            EnterTunnel(.gre)
            Select(gre.protocol) {
                Case(0x6558, "inner_ethernet")
                Case(0x0800, "inner_ipv4")
                Case(0x86dd, "inner_ipv6")
            }
        }
        State("ipip") {
            EnterTunnel(.ipip)
            Transition("inner_ipv4")
        }
        State("inner_ethernet") {
            Extract(ethernet)
            Select(ethernet.etherType) {
                Case(0x0800, "inner_ipv4")
                Case(0x86dd, "inner_ipv6")
            }
        }
        ipStates("inner_", tunnels: false)
        State("tcp") {
            Extract(tcp)
            Transition(.accept)
        }
    }

    HTTP(requests: true, responses: true)

    SearchWindow(bytes: 1024, placement: .anywhere, formats: .w3c(tracestate: false), .custom(name: "x-request-id", maxValueBytes: 36))

    Record(
        .timestamp,
        .tracingPoint,
        .direction,
        .ifindex,
        .innerFiveTuple,
        .outerFiveTuple,
        .optionalField(geneve.vni),
        .field(tcp.seqNo),
        .payloadLength,
        .traceContext
    )

    FlowMap("flows", evicting: true, maxEntries: 16384,
            keys: [.inner(.sourceAddress), .inner(.destinationAddress), .inner(.destinationPort)],
            values: [.packets, .bytes, .firstTimestamp, .lastTimestamp])

    Table("trace_filter", keys: .exact(.inner(.destinationPort)), .lpm(.inner(.destinationAddress)), size: 4096, defaultAction: .trace)

    TracingPoint("nic", hooks: .ingress, .egress)
    TracingPoint("vport", hooks: .ingress, .egress)

    Hop("rx", from: .ingress(of: "nic"), to: .egress(of: "vport"))
    Hop("tx", from: .ingress(of: "vport"), to: .egress(of: "nic"))

    Target(instructionBudget: 4096, profile: .loops)
}
