/// Names and addresses of a testbed: two nodes joined by a veth pair (their NICs) with a VXLAN
/// overlay between them, pod1 on node1, pod2 and pod3 on node2. All addresses are in 198.18.0.0/15:
/// the underlay is 198.18.0.0/24, node N's pod subnet is 198.19.N.0/24.
public struct Topology: Sendable, Hashable, Codable {
    public static let defaultPrefix = "mtlab"
    /// Interface names are `<prefix>nic1`, `<prefix>vx1`, `<prefix>br1`, `<prefix>vp1`: at most 15 characters.
    public static let maxPrefixLength = 11

    public var prefix: String
    public var nodes: [Node]
    public var pods: [Pod]
    public var vni: Int = 42
    public var vxlanPort: Int = 4789
    public var httpPort: Int = 8080
    /// The underlay's MTU, and the overlay's (50 bytes less for the VXLAN encapsulation).
    public var underlayMTU: Int = 1500
    public var overlayMTU: Int = 1450
    public var underlayPrefixLength: Int = 24

    public init(prefix: String = Topology.defaultPrefix) throws {
        guard Topology.isValidPrefix(prefix) else { throw LabError.invalidPrefix(prefix) }
        self.prefix = prefix
        nodes = (1...2).map { n in
            Node(
                name: "node\(n)", index: n, namespace: "\(prefix)-node\(n)",
                nic: "\(prefix)nic\(n)", nicAddress: "198.18.0.\(n)",
                overlayDevice: "\(prefix)vx\(n)", overlayAddress: "198.19.\(n).0",
                overlayMAC: String(format: "02:6d:74:00:00:%02x", n),
                bridge: "\(prefix)br\(n)", gateway: "198.19.\(n).1",
                podSubnet: "198.19.\(n).0/24"
            )
        }
        let placement: [(pod: Int, node: Int, host: Int, serves: Bool)] = [(1, 1, 2, false), (2, 2, 2, true), (3, 2, 3, true)]
        pods = placement.map { p in
            Pod(
                name: "pod\(p.pod)", index: p.pod, node: "node\(p.node)", namespace: "\(prefix)-pod\(p.pod)",
                vport: "\(prefix)vp\(p.pod)", interface: "eth0", ip: "198.19.\(p.node).\(p.host)", serves: p.serves
            )
        }
    }

    public static func isValidPrefix(_ prefix: String) -> Bool {
        guard let first = prefix.unicodeScalars.first, (1...maxPrefixLength).contains(prefix.unicodeScalars.count) else { return false }
        let lower = Set("abcdefghijklmnopqrstuvwxyz".unicodeScalars), digits = Set("0123456789".unicodeScalars)
        return lower.contains(first) && prefix.unicodeScalars.allSatisfy { lower.contains($0) || digits.contains($0) }
    }

    public var node1: Node { nodes[0] }
    public var node2: Node { nodes[1] }
    public var pod1: Pod { pods[0] }
    public var pod2: Pod { pods[1] }
    public var pod3: Pod { pods[2] }

    /// Where traffic comes from by default (pod1, on node1) and goes to (pod2, on node2).
    public var client: Pod { pod1 }
    public var server: Pod { pod2 }

    public func node(named name: String) -> Node? { nodes.first { $0.name == name } }
    public func pod(named name: String) -> Pod? { pods.first { $0.name == name } }
    public func node(of pod: Pod) -> Node { nodes.first { $0.name == pod.node }! }
    public func pods(on node: Node) -> [Pod] { pods.filter { $0.node == node.name } }

    /// Every namespace the testbed makes, nodes first.
    public var namespaces: [String] { nodes.map(\.namespace) + pods.map(\.namespace) }

    /// The interfaces the testbed makes, by namespace.
    public var interfaces: [(namespace: String, name: String)] {
        nodes.flatMap { node in
            [(node.namespace, node.nic), (node.namespace, node.overlayDevice), (node.namespace, node.bridge)]
                + pods(on: node).map { (node.namespace, $0.vport) }
        } + pods.map { ($0.namespace, $0.interface) }
    }

    public func url(of pod: Pod, path: String = "/") -> String { "http://\(pod.ip):\(httpPort)\(path)" }
}

extension Topology: CustomStringConvertible {
    /// A table of nodes (NICs, overlay) and pods (vports, IPs).
    public var description: String {
        var lines: [String] = []
        for node in nodes {
            lines.append("\(node.name)  netns \(node.namespace)  nic \(node.nic) \(node.nicAddress)/\(underlayPrefixLength)  vxlan \(node.overlayDevice) \(node.overlayAddress) (vni \(vni), udp \(vxlanPort))  bridge \(node.bridge) \(node.gateway)  pods \(node.podSubnet)")
        }
        for pod in pods {
            let serving = pod.serves ? "  http \(url(of: pod))" : ""
            lines.append("\(pod.name)   netns \(pod.namespace)  on \(pod.node)  vport \(pod.vport)  ip \(pod.ip)\(serving)")
        }
        return lines.joined(separator: "\n")
    }
}
