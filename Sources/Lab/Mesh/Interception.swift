import Foundation

/// The NAT rules Istio's init container (istio-iptables, REDIRECT mode) installs in a pod's
/// namespace, cut to what the mesh needs: TCP arriving for the app's port goes to the sidecar's
/// inbound listener; TCP the pod sends out of eth0 goes to its outbound listener, except what the
/// sidecar itself sends (its uid), which would loop. Loopback traffic (sidecar ⇄ app) is left alone.
/// The rules live in the pod's namespace and go with it.
enum Interception {
    static let inboundChain = "MESH_INBOUND", outboundChain = "MESH_OUTPUT"

    static func rules(pod: Pod) -> String {
        """
        *nat
        :\(inboundChain) - [0:0]
        :\(outboundChain) - [0:0]
        -A PREROUTING -p tcp -j \(inboundChain)
        -A \(inboundChain) -p tcp -i \(pod.interface) --dport \(MeshTopology.appPort) -j REDIRECT --to-ports \(MeshTopology.inboundPort)
        -A OUTPUT -p tcp -j \(outboundChain)
        -A \(outboundChain) -o lo -j RETURN
        -A \(outboundChain) -m owner --uid-owner \(MeshTopology.sidecarUID) -j RETURN
        -A \(outboundChain) -m owner --gid-owner \(MeshTopology.sidecarUID) -j RETURN
        -A \(outboundChain) -p tcp -o \(pod.interface) -j REDIRECT --to-ports \(MeshTopology.outboundPort)
        COMMIT

        """
    }

    static func install(in testbed: Testbed, pod: Pod) throws {
        try testbed.run(in: pod.namespace, "iptables-restore", [], input: Data(rules(pod: pod).utf8)).check()
    }

    /// Whether the pod's namespace holds both redirects.
    static func isInstalled(in testbed: Testbed, pod: Pod) -> Bool {
        guard let rules = try? testbed.run(in: pod.namespace, "iptables", ["-t", "nat", "-S"]).stdout else { return false }
        return rules.contains("--to-ports \(MeshTopology.inboundPort)") && rules.contains("--to-ports \(MeshTopology.outboundPort)")
    }
}
