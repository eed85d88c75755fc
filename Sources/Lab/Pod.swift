/// A pod: a network namespace joined to its node by a veth pair whose node-side end is its vport.
public struct Pod: Sendable, Hashable, Codable {
    /// `pod1`, `pod2`, `pod3`.
    public var name: String
    public var index: Int
    /// The name of the node the pod runs on.
    public var node: String
    public var namespace: String
    /// The node-side end of the pod's veth pair (the host side, as `vethXXXX` in Kubernetes).
    public var vport: String
    /// The pod-side end of the veth pair.
    public var interface: String
    public var ip: String
    /// Whether the testbed runs an HTTP server in this pod.
    public var serves: Bool
}
