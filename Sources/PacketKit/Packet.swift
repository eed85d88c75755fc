/// A TCP segment carrying `payload`, wrapped in the encapsulation a test asks for: the
/// common shapes of the mesh spec's paths, built with `Frame`.
public struct Packet: Sendable {
    public enum Encapsulation: Sendable, Equatable {
        case none
        case vlan([Int])
        case vxlan(vni: UInt32, outerSource: [UInt8], outerDestination: [UInt8], sourcePort: Int)
        case ipip(outerSource: [UInt8], outerDestination: [UInt8])
    }

    public var source: [UInt8] = [198, 19, 1, 2]
    public var destination: [UInt8] = [198, 19, 2, 2]
    public var sourcePort = 40000
    public var destinationPort = 9080
    public var sequence: UInt32 = 0x1000_0001
    public var acknowledgment: UInt32 = 0x2000_0002
    /// PSH ACK; add FIN (0x01) for a segment after which the flow sends nothing more.
    public var tcpFlags: UInt8 = 0x18
    public var ipOptions: [UInt8] = []
    public var tcpOptions: [UInt8] = []
    public var payload: [UInt8] = []
    public var encapsulation: Encapsulation = .none

    public init(payload: [UInt8] = []) {
        self.payload = payload
    }

    public init(http: String) {
        self.payload = Array(http.utf8)
    }

    /// The inner IPv4 + TCP + payload.
    var innerIP: Frame {
        var frame = Frame()
        frame.ipv4(source: source, destination: destination, protocol: 6, payloadLength: 20 + tcpOptions.count + payload.count, options: ipOptions)
        frame.tcp(sourcePort: sourcePort, destinationPort: destinationPort, sequence: sequence, acknowledgment: acknowledgment, flags: tcpFlags,
                  options: tcpOptions)
        frame.append(payload)
        return frame
    }

    public var frame: [UInt8] {
        var frame = Frame()
        let inner = innerIP.bytes
        switch encapsulation {
        case .none:
            frame.ethernet(etherType: 0x0800)
        case .vlan(let ids):
            frame.ethernet(etherType: 0x8100)
            for (index, id) in ids.enumerated() {
                frame.vlan(id: id, etherType: index == ids.count - 1 ? 0x0800 : 0x8100)
            }
        case .vxlan(let vni, let outerSource, let outerDestination, let sourcePort):
            frame.ethernet(etherType: 0x0800)
            frame.ipv4(source: outerSource, destination: outerDestination, protocol: 17, payloadLength: 8 + 8 + 14 + inner.count)
            frame.udp(sourcePort: sourcePort, destinationPort: 4789, payloadLength: 8 + 14 + inner.count)
            frame.vxlan(vni: vni)
            frame.ethernet(etherType: 0x0800)
        case .ipip(let outerSource, let outerDestination):
            frame.ethernet(etherType: 0x0800)
            frame.ipv4(source: outerSource, destination: outerDestination, protocol: 4, payloadLength: inner.count)
        }
        return frame.bytes + inner
    }
}
