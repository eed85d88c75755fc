/// The W3C trace context a testbed request carries: fresh random ids, sampled. It is only
/// written here; what reads it back (the runner, the tests) uses the one parser, TraceContexts.
public struct RequestContext: Sendable, Hashable, Codable {
    /// 32 lowercase hex digits, not all zero.
    public var traceId: String
    /// 16 lowercase hex digits, not all zero: the span that sends the request.
    public var spanId: String

    public init(traceId: String, spanId: String) {
        self.traceId = traceId
        self.spanId = spanId
    }

    public static func random() -> RequestContext {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> RequestContext {
        RequestContext(traceId: randomHex(bytes: 16, using: &generator), spanId: randomHex(bytes: 8, using: &generator))
    }

    /// The `traceparent` value (version 00, sampled).
    public var traceparent: String { "00-\(traceId)-\(spanId)-01" }

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
