/// A tracing point as one end of a hop: the spec's point name and hook, the interface it was
/// attached to, and the pod behind it when the runner knows the interface is a pod's veth.
public struct ObservationPoint: Sendable, Hashable {
    /// The spec's point name: "nic", "vport".
    public var name: String
    /// "ingress" or "egress".
    public var hook: String
    /// The interface the event came from ("eth0", "veth1a2b").
    public var interface: String?
    /// Set only when the point is known to be a pod's interface; it adds per-pod labels.
    public var pod: PodIdentity?

    public init(name: String, hook: String, interface: String? = nil, pod: PodIdentity? = nil) {
        self.name = name
        self.hook = hook
        self.interface = interface
        self.pod = pod
    }
}

/// The Kubernetes identity behind a vport, for when discovery fills it in.
public struct PodIdentity: Sendable, Hashable {
    public var name: String
    public var namespace: String
    public var service: String?

    public init(name: String, namespace: String, service: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.service = service
    }
}
