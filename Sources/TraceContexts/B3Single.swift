import Spec

/// B3 single header `b3`: `{trace}-{span}[-{sampling}[-{parent}]]` with sampling `0`, `1` or
/// `d` (debug), or the sampling state alone (b3-propagation README, "Single Header").
enum B3Single {
    static let name = "b3"
    /// 32 + 1 + 16 + 1 + 1 + 1 + 16: a 128-bit trace id, sampling state and parent.
    static let longestValid = 68

    static func parse(_ header: ObservedHeader) -> Result<B3Extraction, InvalidReason> {
        func invalid(_ problem: String) -> Result<B3Extraction, InvalidReason> { .failure(InvalidReason(header: name, problem: problem)) }
        guard header.occurrences == 1 else {
            // Joined as RFC 9110 §5.3 would join them ("a, b"), two b3 values are no b3 value.
            return invalid("more than one b3 header in the request; exactly one is allowed")
        }
        if let problem = header.wholeValueProblem(longestValid: longestValid) { return .failure(problem) }
        let fields = Bytes.split(header.bytes, on: "-")
        if fields.count == 1 {
            guard let sampling = sampling(fields[0]) else {
                return invalid("'\(header.value)' is neither trace-span ids nor a sampling state 0, 1 or d")
            }
            return .success(.samplingOnly(sampling))
        }
        guard fields.count <= 4 else { return invalid("\(fields.count) '-'-separated fields; at most 4 (trace-span-sampling-parent)") }
        // Fields are checked left to right, so the reason names the first broken one.
        do throws(InvalidReason) {
            let traceId = try B3Ids.traceId(fields[0], header: name).get()
            let spanId = try B3Ids.spanId(fields[1], header: name).get()
            let state = fields.count > 2 ? try samplingField(fields[2]) : Sampling(sampled: nil)
            let parent = fields.count > 3 ? try B3Ids.spanId(fields[3], header: name, field: "parent span id").get() : nil
            return .success(.context(TraceContext(
                format: .b3Single, traceId: traceId, spanId: spanId, parentSpanId: parent,
                sampling: state, rawFlags: fields.count > 2 ? Bytes.text(fields[2]) : nil
            )))
        } catch {
            return .failure(error)
        }
    }

    static func samplingField(_ text: ArraySlice<UInt8>) throws(InvalidReason) -> Sampling {
        guard let state = sampling(text) else {
            throw InvalidReason(header: name, problem: "sampling state '\(Bytes.text(text))' is not 0, 1 or d")
        }
        return state
    }

    /// `d` is debug, which implies accept. `true`/`false` are multi-header leniency only.
    static func sampling(_ text: ArraySlice<UInt8>) -> Sampling? {
        switch Bytes.text(text) {
        case "0": Sampling(sampled: false)
        case "1": Sampling(sampled: true)
        case "d": Sampling(sampled: true, debug: true)
        default: nil
        }
    }
}
