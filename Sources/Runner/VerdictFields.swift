import TraceContexts

/// A context verdict as the runner prints it: flat, optional fields, ids in their canonical
/// form (128-bit trace ids, 64-bit B3 ids left-padded).
public struct VerdictFields: Codable, Sendable, Equatable {
    /// The format that decided (`w3c`, `b3`, `b3-single`, `jaeger`, `custom:NAME`).
    public var format: String?
    /// `valid`, `valid_without_ids` (a B3 sampling decision alone), `opaque` (a custom format's
    /// value), `invalid` or `absent`.
    public var verdict: String
    public var traceId: String?
    public var spanId: String?
    public var parentSpanId: String?
    public var sampled: Bool?
    /// The value of a custom format, kept whole.
    public var value: String?
    public var reason: String?

    public init(_ verdict: Verdict) {
        format = verdict.format?.label
        switch verdict.outcome {
        case .valid(let context):
            self.verdict = "valid"
            traceId = context.traceId.hex
            spanId = context.spanId.hex
            parentSpanId = context.parentSpanId?.hex
            sampled = context.sampling.sampled
        case .validWithoutIds(let sampling):
            self.verdict = "valid_without_ids"
            sampled = sampling.sampled
        case .opaque(let text):
            self.verdict = "opaque"
            value = text
        case .invalid(let reason):
            self.verdict = "invalid"
            self.reason = reason.description
        case .absent:
            self.verdict = "absent"
        }
    }

    /// Whether the context is usable: ids, a sampling decision, or a custom value.
    public var isValid: Bool { verdict != "invalid" && verdict != "absent" }
}
