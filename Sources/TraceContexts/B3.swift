import Spec

/// The two B3 encodings as one family: "The single-header variant takes precedence over the
/// multiple header one when extracting fields" (b3-propagation README), and, as OpenTelemetry's
/// Go and Java B3 propagators do, an invalid `b3` falls back to valid `X-B3-*` headers, with a
/// note saying so.
enum B3 {
    /// The family's verdict, or nil when none of its headers the spec asks for was sent.
    static func verdict(_ observed: [String: ObservedHeader], single: Bool, multi: Bool) -> Verdict? {
        let singleHeader = single ? observed[B3Single.name] : nil
        let multiHeaders = multi ? observed.filter { B3Multi.names.contains($0.key) } : [:]
        var singleFailure: InvalidReason?
        if let singleHeader {
            switch B3Single.parse(singleHeader) {
            case .success(let parsed):
                var notes: [String] = []
                if !multiHeaders.isEmpty { notes.append("x-b3-* headers ignored: b3 takes precedence") }
                return verdict(parsed, format: .b3Single, notes: notes)
            case .failure(let reason):
                singleFailure = reason
            }
        }
        if multiHeaders.isEmpty {
            return singleFailure.map { Verdict(format: .b3Single, outcome: .invalid($0)) }
        }
        let (parsed, notes) = B3Multi.parse(multiHeaders)
        switch (parsed, singleFailure) {
        case (.success(let parsed), nil):
            return verdict(parsed, format: .b3Multi, notes: notes)
        case (.success(let parsed), let singleFailure?):
            return verdict(parsed, format: .b3Multi, notes: ["invalid b3 set aside for the x-b3-* headers (\(singleFailure))"] + notes)
        case (.failure(let reason), nil):
            return Verdict(format: .b3Multi, outcome: .invalid(reason), notes: notes)
        case (.failure(let reason), let singleFailure?):
            // Both encodings are broken: the one that takes precedence explains the verdict.
            return Verdict(format: .b3Single, outcome: .invalid(singleFailure), notes: ["x-b3-* headers invalid too (\(reason))"] + notes)
        }
    }

    private static func verdict(_ parsed: B3Extraction, format: TraceContextFormat, notes: [String]) -> Verdict {
        Verdict(format: format, outcome: parsed.outcome, notes: notes)
    }
}

/// What either B3 encoding yields: ids, or a sampling state sent alone.
enum B3Extraction: Equatable {
    case context(TraceContext)
    case samplingOnly(Sampling)

    var outcome: Verdict.Outcome {
        switch self {
        case .context(let context): .valid(context)
        case .samplingOnly(let sampling): .validWithoutIds(sampling)
        }
    }
}
