import TraceContexts

extension TraceContext {
    /// Fresh random W3C ids, sampled: one per request the testbed sends.
    public static func random() -> TraceContext {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> TraceContext {
        TraceContext(format: "w3c", traceId: randomHex(bytes: 16, using: &generator), spanId: randomHex(bytes: 8, using: &generator), flags: "01")
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
