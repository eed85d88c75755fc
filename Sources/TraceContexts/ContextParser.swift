import Spec

/// Turns one event's observed context headers into its verdict, by the spec's formats.
///
/// The first format in the spec's order with a header in the request decides, valid or not:
/// an invalid context is reported, never replaced by a later format's. The B3 encodings are one
/// family, placed where the first of them is listed, in which `b3` precedes `X-B3-*`.
public struct ContextParser: Sendable {
    public let formats: [TraceContextFormat]

    public init(formats: [TraceContextFormat]) {
        self.formats = formats
    }

    /// The verdict for one event. `headers` holds one record per header name (the kernel's
    /// slot for it); records with no occurrence count as absent. The runner builds them from
    /// each slot: `ObservedHeader(name: slot.name, bytes: copiedBytes, length: trueLength,
    /// cut: cutFlag, lineEnd: fromThePastMasks, occurrences: count)`.
    public func verdict(for headers: [ObservedHeader]) -> Verdict {
        var observed: [String: ObservedHeader] = [:]
        for header in headers where header.occurrences > 0 {
            if observed[header.name] != nil {
                // The kernel keeps one slot per header, so two records mean a broken decoder.
                return Verdict(format: nil, outcome: .invalid(InvalidReason(header: header.name, problem: "two records for one header")))
            }
            if let inconsistency = header.inconsistency { return Verdict(format: nil, outcome: .invalid(inconsistency)) }
            observed[header.name] = header
        }
        var notes: [String] = []
        var b3Seen = false
        for format in formats {
            switch format {
            case .w3c(let tracestate):
                guard let traceparent = observed[W3CTraceparent.name] else {
                    if tracestate, observed[W3CTracestate.name] != nil { notes.append("tracestate ignored: no traceparent") }
                    continue
                }
                return W3C.verdict(traceparent: traceparent, tracestate: tracestate ? observed[W3CTracestate.name] : nil, format: format, notes: notes)
            case .b3Multi, .b3Single:
                guard !b3Seen else { continue }
                b3Seen = true
                if var verdict = B3.verdict(observed, single: formats.contains(.b3Single), multi: formats.contains(.b3Multi)) {
                    verdict.notes = notes + verdict.notes
                    return verdict
                }
            case .jaeger:
                guard let header = observed[Jaeger.name] else { continue }
                let (result, jaegerNotes) = Jaeger.parse(header)
                return Verdict(format: format, outcome: result.outcome, notes: notes + jaegerNotes)
            case .custom(let name, _):
                guard let header = observed[name.lowercased()] else { continue }
                let outcome: Verdict.Outcome = switch CustomContext.parse(header) {
                case .success(let value): .opaque(value)
                case .failure(let reason): .invalid(reason)
                }
                return Verdict(format: format, outcome: outcome, notes: notes)
            }
        }
        return Verdict(format: nil, outcome: .absent, notes: notes)
    }
}
