/// A Kubernetes-like node: a network namespace with a NIC on the underlay, a VXLAN
/// overlay device (Flannel-style, VNI 42), and a bridge its pods' vports hang off.
public struct Node: Sendable, Hashable, Codable {
    /// `node1`, `node2`.
    public var name: String
    public var index: Int
    public var namespace: String
    /// The node's NIC: its end of the veth pair that joins the two nodes.
    public var nic: String
    public var nicAddress: String
    /// The VXLAN device, addressed with the pod subnet's network address as Flannel does.
    public var overlayDevice: String
    public var overlayAddress: String
    public var overlayMAC: String
    /// The bridge (Flannel's `cni0`) that the vports are ports of; it holds the pods' gateway address.
    public var bridge: String
    public var gateway: String
    /// The node's pod subnet, CIDR.
    public var podSubnet: String
}
