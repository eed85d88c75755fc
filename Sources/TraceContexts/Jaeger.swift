import Spec

/// Jaeger `uber-trace-id: {trace}:{span}:{parent}:{flags}` (Jaeger client docs, "Propagation
/// Format"): lowercase hex ids of up to 32, 16 and 16 digits, left-padded; parent `0` (any
/// all-zero parent) means none; flags one or two hex digits, bit 1 sampled, bit 2 debug.
enum Jaeger {
    static let name = "uber-trace-id"
    /// 32 + 16 + 16 + 2 digits; with plain `:` separators, or `%3A` when URL-encoded.
    static let longestPlain = 69
    static let longestEncoded = 75

    static func parse(_ header: ObservedHeader) -> (Result<TraceContext, InvalidReason>, notes: [String]) {
        func invalid(_ problem: String) -> (Result<TraceContext, InvalidReason>, notes: [String]) {
            (.failure(InvalidReason(header: name, problem: problem)), [])
        }
        guard header.occurrences == 1 else {
            return invalid("more than one uber-trace-id header in the request; exactly one is allowed")
        }
        var notes: [String] = []
        var bytes = header.bytes
        let encoded = !bytes.contains(UInt8(ascii: ":")) && bytes.contains(UInt8(ascii: "%"))
        if let problem = header.wholeValueProblem(longestValid: encoded ? longestEncoded : longestPlain) {
            return (.failure(problem), [])
        }
        if encoded {
            // Clients that URL-encode the value send `%3A` for each ':'; OpenTelemetry Java and
            // the Jaeger clients decode it. No other escape can occur in a valid value.
            guard let decoded = decodingColons(bytes) else { return invalid("'%' escape other than %3A in '\(header.value)'") }
            bytes = decoded
            notes.append("uber-trace-id was URL-encoded (%3A)")
        }
        let fields = Bytes.split(bytes, on: ":")
        guard fields.count == 4 else { return invalid("\(fields.count) ':'-separated fields; needs trace:span:parent:flags") }
        guard Bytes.isLowercaseHex(fields[0], count: 1...32) else { return invalid("trace id '\(Bytes.text(fields[0]))' is not 1 to 32 lowercase hex digits") }
        guard !Bytes.isZero(fields[0]) else { return invalid("trace id is all zeros") }
        guard Bytes.isLowercaseHex(fields[1], count: 1...16) else { return invalid("span id '\(Bytes.text(fields[1]))' is not 1 to 16 lowercase hex digits") }
        guard !Bytes.isZero(fields[1]) else { return invalid("span id is all zeros") }
        guard Bytes.isLowercaseHex(fields[2], count: 1...16) else { return invalid("parent span id '\(Bytes.text(fields[2]))' is not 1 to 16 lowercase hex digits") }
        guard Bytes.isLowercaseHex(fields[3], count: 1...2), let flags = UInt8(Bytes.text(fields[3]), radix: 16) else {
            return invalid("flags '\(Bytes.text(fields[3]))' are not 1 or 2 lowercase hex digits")
        }
        let sampled = flags & 1 == 1
        let context = TraceContext(
            format: .jaeger,
            traceId: TraceID(lowercaseHex: fields[0]),
            spanId: SpanID(lowercaseHex: fields[1]),
            parentSpanId: Bytes.isZero(fields[2]) ? nil : SpanID(lowercaseHex: fields[2]),
            // Debug counts only with the sampled bit, as OpenTelemetry Go's Jaeger propagator reads it.
            sampling: Sampling(sampled: sampled, debug: sampled && flags & 2 == 2),
            rawFlags: Bytes.text(fields[3])
        )
        return (.success(context), notes)
    }

    /// The value with every `%3A`/`%3a` turned into ':'; nil when another escape is present.
    static func decodingColons(_ bytes: [UInt8]) -> [UInt8]? {
        var decoded: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "%") else {
                decoded.append(bytes[index])
                index += 1
                continue
            }
            guard index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "3"), bytes[index + 2] | 0x20 == UInt8(ascii: "a") else { return nil }
            decoded.append(UInt8(ascii: ":"))
            index += 3
        }
        return decoded
    }
}
