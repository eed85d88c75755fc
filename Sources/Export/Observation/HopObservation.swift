/// One joined hop as the runner hands it to the exporters: a request packet seen at the hop's
/// first tracing point and again at its second. Plain values only, so Export does not depend on
/// the Runner's types and the value crosses threads freely.
public struct HopObservation: Sendable, Hashable {
    /// "rx" (NIC → vport) or "tx" (vport → NIC), as the spec names the hop.
    public var hop: String
    /// The host name of the node the runner runs on.
    public var node: String
    /// When the packet passed `from`, in `clock`'s nanoseconds (`bpf_ktime_get_ns` live).
    public var firstTimestampNs: UInt64
    /// When it passed `to`, in the same clock.
    public var secondTimestampNs: UInt64
    /// Live runs stamp with the kernel's monotonic clock; a replay stamps with the capture's wall clock.
    public var clock: TimestampClock
    /// The request's trace context; nil when the packet carried none that was valid.
    public var context: HopTraceContext?
    public var from: ObservationPoint
    public var to: ObservationPoint
    public var tcpSequence: UInt64?
    /// The pod-to-pod packet inside the overlay.
    public var inner: FlowTuple?
    /// The node-to-node packet that carries it (VXLAN), when the hop saw one.
    public var outer: FlowTuple?
    /// The VXLAN network identifier, when known.
    public var vni: UInt32?

    public init(hop: String, node: String, firstTimestampNs: UInt64, secondTimestampNs: UInt64, clock: TimestampClock = .monotonic,
                context: HopTraceContext?, from: ObservationPoint, to: ObservationPoint, tcpSequence: UInt64? = nil,
                inner: FlowTuple? = nil, outer: FlowTuple? = nil, vni: UInt32? = nil) {
        self.hop = hop
        self.node = node
        self.firstTimestampNs = firstTimestampNs
        self.secondTimestampNs = secondTimestampNs
        self.clock = clock
        self.context = context
        self.from = from
        self.to = to
        self.tcpSequence = tcpSequence
        self.inner = inner
        self.outer = outer
        self.vni = vni
    }

    /// Second minus first; negative when the two points' clocks or the join disagree (the runner counts those).
    public var latencyNs: Int64 { Int64(bitPattern: secondTimestampNs &- firstTimestampNs) }
}

/// The clock an observation's timestamps come from.
public enum TimestampClock: String, Sendable, Hashable {
    /// CLOCK_MONOTONIC, what `bpf_ktime_get_ns` returns: converted to wall time with `KernelClock`.
    case monotonic
    /// CLOCK_REALTIME nanoseconds since the Unix epoch (pcap timestamps in a replay): used as they are.
    case realtime
}
