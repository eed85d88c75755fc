import Spec
import TraceContexts

extension Vectors.Expect {
    /// What in `verdict` differs from this expectation, one line each; empty when it holds.
    public func mismatches(_ verdict: Verdict) -> [String] {
        var failures: [String] = []
        func check<T: Equatable>(_ what: String, _ actual: T, _ expected: T) {
            if actual != expected { failures.append("\(what) is \(actual), expected \(expected)") }
        }
        check("format", verdict.format.map(FormatLabel.label), self.format)
        if let noteContains = self.noteContains, !verdict.notes.contains(where: { $0.contains(noteContains) }) {
            failures.append("no note contains '\(noteContains)'")
        }
        switch verdict.outcome {
        case .valid(let context):
            check("verdict", "valid", self.verdict)
            check("trace id", context.traceId.hex, self.traceId)
            check("span id", context.spanId.hex, self.spanId)
            check("parent span id", context.parentSpanId?.hex, self.parentSpanId)
            check("sampled", context.sampling.sampled, self.sampled)
            check("debug", context.sampling.debug, self.debug ?? false)
            if let tracestate = self.tracestate {
                check("tracestate", context.tracestate?.map { [$0.key, $0.value] }, tracestate)
            }
        case .validWithoutIds(let sampling):
            check("verdict", "valid_without_ids", self.verdict)
            check("sampled", sampling.sampled, self.sampled)
            check("debug", sampling.debug, self.debug ?? false)
        case .opaque(let value):
            check("verdict", "opaque", self.verdict)
            check("value", value, self.value)
        case .invalid(let reason):
            check("verdict", "invalid", self.verdict)
            if let reasonContains = self.reasonContains, !reason.description.contains(reasonContains) {
                failures.append("reason '\(reason)' lacks '\(reasonContains)'")
            }
        case .absent:
            check("verdict", "absent", self.verdict)
        }
        return failures
    }
}
