import Foundation

/// An IPv4 or IPv6 address as events and table keys carry it: 16 bytes in network order, an
/// IPv4 address in the first 4 (the rest zero). Kept as two words, so the join compares and
/// hashes it without a string; formatted only where a record, metric or span prints it.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0–7 and 8–15, the first byte in the top bits.
    public let high: UInt64
    public let low: UInt64
    public let isIPv6: Bool

    /// The address at `offset` of `bytes`: 16 bytes for IPv6, the first 4 for IPv4.
    public init(_ bytes: UnsafeRawBufferPointer, at offset: Int, isIPv6: Bool) {
        let high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        if isIPv6 {
            self.high = high
            low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        } else {
            self.high = high & 0xffff_ffff_0000_0000
            low = 0
        }
        self.isIPv6 = isIPv6
    }

    /// Parses dotted IPv4 or IPv6 text; nil when it is neither.
    public init?(_ text: String) {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            let raw = withUnsafeBytes(of: v4) { Array($0) } + [UInt8](repeating: 0, count: 12)
            self = raw.withUnsafeBytes { IPAddress($0, at: 0, isIPv6: false) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            self = withUnsafeBytes(of: v6) { IPAddress($0, at: 0, isIPv6: true) }
        } else {
            return nil
        }
    }

    /// The 16 bytes in network order (IPv4: its 4, then zeros).
    public var bytes: [UInt8] {
        (0..<16).map { (index: Int) -> UInt8 in
            let word = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * (index % 8)))
        }
    }

    /// Dotted quad, or eight hexadecimal groups without `::` compression.
    public var description: String {
        if !isIPv6 {
            let octets = (0..<4).map { (index: Int) -> String in String(UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index))) }
            return octets.joined(separator: ".")
        }
        let groups = (0..<8).map { (index: Int) -> String in
            let word = index < 4 ? high : low
            let shift = UInt64(48 - 16 * (index % 4))
            return String(UInt16(truncatingIfNeeded: word >> shift), radix: 16)
        }
        return groups.joined(separator: ":")
    }
}
