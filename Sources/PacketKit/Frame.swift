/// Builds Ethernet frames byte by byte, outermost header first, for tests, fuzzing and the
/// testbed: each method appends one header in network byte order.
public struct Frame: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    @discardableResult
    public mutating func append(_ more: [UInt8]) -> Frame {
        bytes += more
        return self
    }

    mutating func be16(_ value: Int) { bytes += [UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
    mutating func be32(_ value: UInt32) { bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    public mutating func ethernet(etherType: Int, source: [UInt8] = [2, 0, 0, 0, 0, 1], destination: [UInt8] = [2, 0, 0, 0, 0, 2]) {
        bytes += destination + source
        be16(etherType)
    }

    public mutating func vlan(id: Int, etherType: Int) {
        be16(id & 0x0fff)
        be16(etherType)
    }

    /// An IPv4 header; `payloadLength` is what follows the header (options included in `options`).
    public mutating func ipv4(source: [UInt8], destination: [UInt8], protocol proto: UInt8, payloadLength: Int, options: [UInt8] = [], ttl: UInt8 = 64) {
        precondition(options.count % 4 == 0, "IPv4 options are whole words")
        let headerLength = 20 + options.count
        var header: [UInt8] = [UInt8(0x40 | headerLength / 4), 0]
        let total = headerLength + payloadLength
        header += [UInt8(total >> 8 & 0xff), UInt8(total & 0xff), 0x12, 0x34, 0x40, 0x00, ttl, proto, 0, 0]
        header += source + destination + options
        let checksum = Self.checksum(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xff)
        bytes += header
    }

    public mutating func ipv6(source: [UInt8], destination: [UInt8], nextHeader: UInt8, payloadLength: Int) {
        bytes += [0x60, 0, 0, 0]
        be16(payloadLength)
        bytes += [nextHeader, 64] + source + destination
    }

    public mutating func udp(sourcePort: Int, destinationPort: Int, payloadLength: Int) {
        be16(sourcePort)
        be16(destinationPort)
        be16(8 + payloadLength)
        be16(0)
    }

    public mutating func tcp(sourcePort: Int, destinationPort: Int, sequence: UInt32, acknowledgment: UInt32, flags: UInt8 = 0x18, options: [UInt8] = []) {
        precondition(options.count % 4 == 0, "TCP options are whole words")
        be16(sourcePort)
        be16(destinationPort)
        be32(sequence)
        be32(acknowledgment)
        bytes += [UInt8((20 + options.count) / 4) << 4, flags]
        be16(64240)
        be16(0)
        be16(0)
        bytes += options
    }

    public mutating func vxlan(vni: UInt32, flags: UInt8 = 0x08) {
        bytes += [flags, 0, 0, 0, UInt8(vni >> 16 & 0xff), UInt8(vni >> 8 & 0xff), UInt8(vni & 0xff), 0]
    }

    /// The Internet checksum (RFC 1071).
    public static func checksum(_ data: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < data.count {
            sum += UInt32(data[index]) << 8 | UInt32(data[index + 1])
            index += 2
        }
        if index < data.count { sum += UInt32(data[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
