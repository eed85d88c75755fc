/// A W3C Trace Context `traceparent`: version 00, a 16-byte trace id, an 8-byte parent id, flags.
public struct TraceContext: Sendable, Hashable, Codable {
    /// 32 lowercase hex digits, not all zero.
    public var traceID: String
    /// 16 lowercase hex digits, not all zero.
    public var parentID: String
    public var flags: UInt8

    public init(traceID: String, parentID: String, flags: UInt8 = 0x01) {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// Fresh random ids (sampled).
    public static func random() -> TraceContext {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> TraceContext {
        TraceContext(traceID: randomHex(bytes: 16, using: &generator), parentID: randomHex(bytes: 8, using: &generator))
    }

    /// Parses a header value, `00-<trace-id>-<parent-id>-<flags>`; nil when it is not a valid one.
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "00",
              TraceContext.isHex(parts[1], digits: 32), TraceContext.isHex(parts[2], digits: 16), TraceContext.isHex(parts[3], digits: 2),
              parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }),
              let flags = UInt8(parts[3], radix: 16) else { return nil }
        self.init(traceID: parts[1], parentID: parts[2], flags: flags)
    }

    /// The header value.
    public var traceparent: String {
        let hexFlags = String(flags, radix: 16)
        return "00-\(traceID)-\(parentID)-\(hexFlags.count == 1 ? "0" + hexFlags : hexFlags)"
    }

    static func isHex(_ text: String, digits: Int) -> Bool {
        text.utf8.count == digits && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func randomHex<G: RandomNumberGenerator>(bytes: Int, using generator: inout G) -> String {
        let digits = Array("0123456789abcdef")
        while true {
            let values = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // An all-zero id is invalid; draw again (probability 2^-64 at most).
            guard values.contains(where: { $0 != 0 }) else { continue }
            return String(values.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xf)]] })
        }
    }
}
