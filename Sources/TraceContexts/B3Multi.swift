import Spec

/// B3 multiple headers (b3-propagation README, "Multiple Headers"): `X-B3-TraceId` and
/// `X-B3-SpanId` together, optionally `X-B3-ParentSpanId`, `X-B3-Sampled` (`0`/`1`, leniently
/// `false`/`true`) and `X-B3-Flags: 1` (debug, implying sampled); or the sampling state alone.
enum B3Multi {
    static let traceIdName = "x-b3-traceid"
    static let spanIdName = "x-b3-spanid"
    static let parentName = "x-b3-parentspanid"
    static let sampledName = "x-b3-sampled"
    static let flagsName = "x-b3-flags"
    static let names = [traceIdName, spanIdName, parentName, sampledName, flagsName]

    static func parse(_ observed: [String: ObservedHeader]) -> (Result<B3Extraction, InvalidReason>, notes: [String]) {
        var notes: [String] = []
        // "When extracting state headers, the first value wins": the kernel copies the first.
        for name in names {
            if let header = observed[name], header.occurrences > 1 {
                notes.append("\(name) sent more than once: the first value wins")
            }
        }
        var debug = false
        if let flags = observed[flagsName] {
            if let incompleteness = flags.incompleteness {
                notes.append("x-b3-flags ignored: \(incompleteness)")
            } else if flags.value == "1" {
                debug = true
            } else {
                // "Absent or any other value can be ignored."
                notes.append("x-b3-flags ignored: only 1 means debug")
            }
        }
        var sampled: Bool?
        if let header = observed[sampledName] {
            // The length alone rules out most values, when it is exact.
            guard header.lineEnd != .seen || [1, 4, 5].contains(header.length) else {
                return (.failure(InvalidReason(header: sampledName, problem: "value is \(header.length) bytes, which no 0, 1, true or false is")), notes)
            }
            if let problem = header.wholeValueProblem(longestValid: 5) { return (.failure(problem), notes) }
            switch header.value {
            case "0", "false": sampled = false
            case "1", "true": sampled = true
            default:
                return (.failure(InvalidReason(header: sampledName, problem: "'\(header.value)' is not 0 or 1 (nor the legacy false or true)")), notes)
            }
        }
        let state = Sampling(sampled: debug ? true : sampled, debug: debug)
        let traceId = observed[traceIdName], spanId = observed[spanIdName]
        if traceId == nil, spanId == nil {
            if observed[parentName] != nil {
                return (.failure(InvalidReason(header: parentName, problem: "sent without x-b3-traceid and x-b3-spanid")), notes)
            }
            guard sampled != nil || debug else {
                return (.failure(InvalidReason(header: flagsName, problem: "carries neither ids nor a sampling state")), notes)
            }
            return (.success(.samplingOnly(state)), notes)
        }
        guard let traceId else { return (.failure(InvalidReason(header: traceIdName, problem: "missing while x-b3-spanid is sent")), notes) }
        guard let spanId else { return (.failure(InvalidReason(header: spanIdName, problem: "missing while x-b3-traceid is sent")), notes) }
        do throws(InvalidReason) {
            let context = TraceContext(
                format: .b3Multi,
                traceId: try id(traceId, longestValid: 32) { B3Ids.traceId($0, header: traceIdName) }.get(),
                spanId: try id(spanId, longestValid: 16) { B3Ids.spanId($0, header: spanIdName) }.get(),
                parentSpanId: try observed[parentName].map { parent throws(InvalidReason) in
                    try id(parent, longestValid: 16) { B3Ids.spanId($0, header: parentName, field: "parent span id") }.get()
                },
                sampling: state, rawFlags: observed[sampledName]?.value
            )
            return (.success(.context(context)), notes)
        } catch {
            return (.failure(error), notes)
        }
    }

    /// An id header is read whole: a cut one is never guessed at.
    static func id<ID>(_ header: ObservedHeader, longestValid: Int, _ rule: (ArraySlice<UInt8>) -> Result<ID, InvalidReason>) -> Result<ID, InvalidReason> {
        if let problem = header.wholeValueProblem(longestValid: longestValid) { return .failure(problem) }
        return rule(header.bytes[...])
    }
}
