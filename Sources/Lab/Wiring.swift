/// The `ip` commands that build a testbed, in order: namespaces, the NICs, each node's VXLAN
/// device and bridge, the pods and their vports, then the overlay routes (Flannel's VXLAN
/// backend: per remote node a route via its overlay address, a permanent neighbour entry for
/// its VTEP MAC, and an FDB entry sending that MAC to its NIC address), then the HTTP servers.
extension Testbed {
    func build() throws {
        let t = topology
        for name in t.namespaces { try makeNamespace(name) }
        try wireNICs()
        for node in t.nodes { try wireNode(node) }
        for pod in t.pods { try wirePod(pod) }
        for node in t.nodes {
            for remote in t.nodes where remote != node { try route(from: node, to: remote) }
        }
        try startServers()
    }

    func makeNamespace(_ name: String) throws {
        let namespace = NetworkNamespace(name)
        try namespace.create()
        try namespace.ip(["link", "set", "lo", "up"])
        // No IPv6: keeps router solicitations and MLD reports off the wires being traced
        // (-e: a kernel without IPv6 has no such keys, which is just as good).
        try namespace.run("sysctl", ["-e", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]).check()
    }

    /// The veth pair joining the nodes, made directly inside their namespaces.
    private func wireNICs() throws {
        let (n1, n2) = (topology.node1, topology.node2)
        try NetworkNamespace(n1.namespace).ip(["link", "add", n1.nic, "mtu", "\(topology.underlayMTU)", "type", "veth", "peer", "name", n2.nic, "netns", n2.namespace])
        for node in topology.nodes {
            let ns = NetworkNamespace(node.namespace)
            try ns.ip(["addr", "add", "\(node.nicAddress)/\(topology.underlayPrefixLength)", "dev", node.nic])
            try ns.ip(["link", "set", node.nic, "up"])
        }
    }

    private func wireNode(_ node: Node) throws {
        let ns = NetworkNamespace(node.namespace)
        try ns.run("sysctl", ["-qw", "net.ipv4.ip_forward=1"]).check()
        try ns.ip([
            "link", "add", node.overlayDevice, "address", node.overlayMAC, "mtu", "\(topology.overlayMTU)",
            "type", "vxlan", "id", "\(topology.vni)", "local", node.nicAddress, "dev", node.nic,
            "dstport", "\(topology.vxlanPort)", "nolearning",
        ])
        try ns.ip(["addr", "add", "\(node.overlayAddress)/32", "dev", node.overlayDevice])
        try ns.ip(["link", "set", node.overlayDevice, "up"])
        try ns.ip(["link", "add", node.bridge, "mtu", "\(topology.overlayMTU)", "type", "bridge"])
        try ns.ip(["addr", "add", "\(node.gateway)/24", "dev", node.bridge])
        try ns.ip(["link", "set", node.bridge, "up"])
    }

    func wirePod(_ pod: Pod) throws {
        let node = topology.node(of: pod)
        let nodeNS = NetworkNamespace(node.namespace), podNS = NetworkNamespace(pod.namespace)
        try nodeNS.ip(["link", "add", pod.vport, "mtu", "\(topology.overlayMTU)", "type", "veth", "peer", "name", pod.interface,
                          "mtu", "\(topology.overlayMTU)", "netns", pod.namespace])
        try nodeNS.ip(["link", "set", pod.vport, "master", node.bridge])
        try nodeNS.ip(["link", "set", pod.vport, "up"])
        // The pod's end too (`mtu` on `ip link add` sets only the first end): Flannel gives pods the overlay's MTU.
        try podNS.ip(["link", "set", pod.interface, "mtu", "\(topology.overlayMTU)"])
        try podNS.ip(["addr", "add", "\(pod.ip)/24", "dev", pod.interface])
        try podNS.ip(["link", "set", pod.interface, "up"])
        try podNS.ip(["route", "add", "default", "via", node.gateway, "dev", pod.interface])
    }

    private func route(from node: Node, to remote: Node) throws {
        let ns = NetworkNamespace(node.namespace)
        try ns.ip(["route", "add", remote.podSubnet, "via", remote.overlayAddress, "dev", node.overlayDevice, "onlink"])
        try ns.ip(["neigh", "add", remote.overlayAddress, "lladdr", remote.overlayMAC, "dev", node.overlayDevice, "nud", "permanent"])
        try ns.run("bridge", ["fdb", "append", remote.overlayMAC, "dev", node.overlayDevice, "dst", remote.nicAddress]).check()
    }
}
