import Spec

/// What one event's context headers amount to: exactly one outcome, the format that decided
/// it, and notes on what was set aside on the way (a dropped `tracestate`, an ignored header).
public struct Verdict: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        /// A complete context with trace and span ids.
        case valid(TraceContext)
        /// A B3 sampling decision sent without ids (`b3: 0`, `x-b3-sampled: 1` alone): valid
        /// B3, but nothing to join on.
        case validWithoutIds(Sampling)
        /// A custom format's value, kept whole and uninterpreted.
        case opaque(String)
        case invalid(InvalidReason)
        /// None of the spec's formats has a header in the request.
        case absent
    }

    /// The format whose headers decided the outcome; nil when absent.
    public var format: TraceContextFormat?
    public var outcome: Outcome
    public var notes: [String]

    public init(format: TraceContextFormat?, outcome: Outcome, notes: [String] = []) {
        self.format = format
        self.outcome = outcome
        self.notes = notes
    }

    public var context: TraceContext? {
        if case .valid(let context) = outcome { return context }
        return nil
    }

    public var invalidReason: InvalidReason? {
        if case .invalid(let reason) = outcome { return reason }
        return nil
    }
}

extension Result<TraceContext, InvalidReason> {
    /// A format's parse, as the verdict's outcome.
    var outcome: Verdict.Outcome {
        switch self {
        case .success(let context): .valid(context)
        case .failure(let reason): .invalid(reason)
        }
    }
}

/// A sampling decision: `sampled` nil means deferred (B3's absent state); `debug` is B3's and
/// Jaeger's forced trace, which implies sampled.
public struct Sampling: Hashable, Sendable {
    public var sampled: Bool?
    public var debug: Bool

    public init(sampled: Bool?, debug: Bool = false) {
        self.sampled = sampled
        self.debug = debug
    }
}

/// Why a context is invalid, naming the header whose value broke which rule.
public struct InvalidReason: Error, Hashable, Sendable, CustomStringConvertible {
    public var header: String
    public var problem: String

    public init(header: String, problem: String) {
        self.header = header
        self.problem = problem
    }

    public var description: String { "\(header): \(problem)" }
}
