import Spec

/// W3C: the traceparent decides; a tracestate only ever adds members or a note.
enum W3C {
    static func verdict(traceparent: ObservedHeader, tracestate: ObservedHeader?, format: TraceContextFormat, notes: [String]) -> Verdict {
        switch W3CTraceparent.parse(traceparent, as: format) {
        case .failure(let reason):
            return Verdict(format: format, outcome: .invalid(reason), notes: notes)
        case .success(var context):
            guard let tracestate else { return Verdict(format: format, outcome: .valid(context), notes: notes) }
            let (members, tracestateNotes) = W3CTracestate.parse(tracestate)
            context.tracestate = members
            return Verdict(format: format, outcome: .valid(context), notes: notes + tracestateNotes)
        }
    }
}
