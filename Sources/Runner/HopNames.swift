/// The Kubernetes names of a joined packet's addresses, where known: its inner source and
/// destination pods (`namespace/pod`, pods of this node, as the API server lists them for it),
/// the Services whose endpoints hold them (any node's), and the pod behind the hop's vport.
/// Records carry them now; metrics and spans are to read the same value.
public struct HopNames: Sendable, Equatable {
    public var sourcePod: String?
    public var destinationPod: String?
    /// Sorted `namespace/service` names; empty when no Service's endpoints hold the address.
    public var sourceServices: [String] = []
    public var destinationServices: [String] = []
    /// The pod on the far side of the vport the hop starts or ends at.
    public var vportPod: String?

    public init(sourcePod: String? = nil, destinationPod: String? = nil, sourceServices: [String] = [], destinationServices: [String] = [], vportPod: String? = nil) {
        self.sourcePod = sourcePod
        self.destinationPod = destinationPod
        self.sourceServices = sourceServices
        self.destinationServices = destinationServices
        self.vportPod = vportPod
    }
}
