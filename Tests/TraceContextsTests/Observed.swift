import Spec
import TraceContexts

/// Records written by hand, for rules the wire derivation cannot reach (other copy sizes,
/// inconsistent records): by default whole, once.
func observed(_ name: String, _ value: String, length: Int? = nil, cut: Bool? = nil, lineEnd: ObservedHeader.LineEnd = .seen,
              occurrences: Int = 1) -> ObservedHeader {
    let length = length ?? value.utf8.count
    return ObservedHeader(name: name, value: value, length: length, cut: cut ?? (length > value.utf8.count), lineEnd: lineEnd, occurrences: occurrences)
}

func verdict(_ formats: [TraceContextFormat], _ headers: ObservedHeader...) -> Verdict {
    ContextParser(formats: formats).verdict(for: headers)
}

let traceId = "5e0c63257de34c92bf9efcd03927272e"
let spanId = "2c9d3f1a6b7e8d04"
let traceparent = "00-\(traceId)-\(spanId)-01"
