/// A 5-tuple with printable addresses, as the runner decodes it.
public struct FlowTuple: Sendable, Hashable {
    public enum Family: String, Sendable, Hashable {
        case ipv4, ipv6
    }

    public var family: Family
    /// The IP protocol number: 6 TCP, 17 UDP.
    public var transportProtocol: UInt8
    public var source: String
    public var sourcePort: UInt16
    public var destination: String
    public var destinationPort: UInt16

    public init(family: Family, transportProtocol: UInt8, source: String, sourcePort: UInt16, destination: String, destinationPort: UInt16) {
        self.family = family
        self.transportProtocol = transportProtocol
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
        self.destinationPort = destinationPort
    }

    /// OpenTelemetry's `network.transport` value; nil for a protocol it has no name for.
    public var transportName: String? {
        switch transportProtocol {
        case 6: "tcp"
        case 17: "udp"
        default: nil
        }
    }
}
