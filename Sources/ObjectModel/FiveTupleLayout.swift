/// `struct mt_tuple`, the one definition of a 5-tuple's bytes: the generator declares the C
/// struct from it, the runner decodes events with it, the reference interpreter encodes with it.
/// Addresses are in network order (IPv4 in the first 4 bytes), ports in host (little-endian) order.
public enum FiveTupleLayout {
    public struct Member: Sendable {
        public var name: String
        public var offset: Int
        public var size: Int
        /// The C declaration of the member.
        public var declaration: String { size == 16 ? "__u8 \(name)[16];" : "__u\(size * 8) \(name);" }
    }

    public static let family = Member(name: "family", offset: 0, size: 1)
    public static let transportProtocol = Member(name: "protocol", offset: 1, size: 1)
    public static let sourcePort = Member(name: "sport", offset: 2, size: 2)
    public static let destinationPort = Member(name: "dport", offset: 4, size: 2)
    /// Keeps the addresses 8-byte aligned; always zero.
    public static let padding = Member(name: "pad", offset: 6, size: 2)
    public static let sourceAddress = Member(name: "saddr", offset: 8, size: 16)
    public static let destinationAddress = Member(name: "daddr", offset: 24, size: 16)

    /// Every member in declaration order.
    public static let members = [family, transportProtocol, sourcePort, destinationPort, padding, sourceAddress, destinationAddress]
    public static let size = 40
    /// The C struct's alignment, and so the tuple's in an event: it is zeroed and copied in words.
    public static let alignment = 8
    /// The `family` value of an IPv6 tuple (IPv4 is 4).
    public static let ipv6Family: UInt8 = 6
}
