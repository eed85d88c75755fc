import Foundation

/// Pods added to a running testbed and removed again, the way a CNI ADD and DEL do, for tests
/// of what follows pods (`meshtrace-run --discover`). They are not in the topology: they run
/// no server and take no traffic; `down()` removes them with the rest (`<prefix>-pod<N>`).
extension Testbed {
    /// Pod `index` (past the topology's) on `node`: namespace `<prefix>-pod<index>`, vport
    /// `<prefix>vp<index>` on the node's bridge, IP 198.19.<node>.<host>.
    public func addPod(index: Int, on node: Node, host: Int) throws -> Pod {
        try Privileges.requireRoot()
        guard index > topology.pods.count, topology.nodes.contains(node), (4...254).contains(host) else {
            throw LabError.invalidArgument("an added pod needs an index past \(topology.pods.count), a node of this testbed and a host number 4...254")
        }
        let pod = Pod(
            name: "pod\(index)", index: index, node: node.name, namespace: "\(topology.prefix)-pod\(index)",
            vport: "\(topology.prefix)vp\(index)", interface: "eth0", ip: "198.19.\(node.index).\(host)", serves: false
        )
        do {
            try makeNamespace(pod.namespace)
            try wirePod(pod)
        } catch {
            try? NetworkNamespace(pod.namespace).delete()
            throw error
        }
        return pod
    }

    /// Deletes the pod's namespace (its veth pair goes with it) and waits until the node has no vport for it.
    public func removePod(_ pod: Pod) throws {
        try Privileges.requireRoot()
        guard isAddedPod(pod.namespace) else { throw LabError.foreignNamespace(pod.namespace) }
        try NetworkNamespace(pod.namespace).delete()
        // The kernel frees a namespace, and its veths, asynchronously once its last user is gone.
        let node = NetworkNamespace(topology.node(of: pod).namespace)
        let deadline = Date().addingTimeInterval(5)
        while (try? node.ip(["link", "show", pod.vport])) != nil {
            guard Date() < deadline else { throw LabError.timeout("\(pod.vport) to vanish from \(node.name)") }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// `<prefix>-pod<N>` beyond the topology's pods.
    func isAddedPod(_ namespace: String) -> Bool {
        let head = "\(topology.prefix)-pod"
        guard namespace.hasPrefix(head), let index = Int(namespace.dropFirst(head.count)) else { return false }
        return index > topology.pods.count
    }
}
