import Foundation

/// FNV-1a, 128 bits: a content hash for cache keys (not for security).
struct ContentHash {
    private var high: UInt64 = 0x6c62_272e_07bb_0142
    private var low: UInt64 = 0x62b8_2175_6295_c58d

    mutating func add(_ data: Data) {
        // Two independent 64-bit FNV-1a lanes, the second over a rotated byte, widen the key.
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var h = high, l = low
            for byte in bytes {
                h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                l = (l ^ UInt64(byte &+ 0x5a)) &* 0x0000_0100_0000_01b3
            }
            high = h
            low = l
        }
    }

    var hex: String {
        String(high, radix: 16).leftPadded(16) + String(low, radix: 16).leftPadded(16)
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
