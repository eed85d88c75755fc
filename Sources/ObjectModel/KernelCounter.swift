/// The counters every generated object keeps in `mt_counters`, in index order. The C enum is
/// generated from this list, so the runner and the kernel side cannot disagree.
public enum KernelCounter: Int, CaseIterable, Sendable {
    case packets, notAccepted, filtered, notHTTP, noContext, events, ringbufFull, tailCallFailed, truncated
    /// Unrolled profile: candidate header lines in one chunk beyond what it compares.
    case candidatesDropped
    /// Segments whose payload ended before the header block's blank line, inside the window:
    /// their request's search goes on in the flow's next segment (the `mt_requests` state).
    case segmentsHeld
    /// Segments that carried on a held request's search.
    case segmentsResumed
    /// Held requests dropped: the flow's FIN or RST came first.
    case requestsClosed
    /// Held requests dropped: no next segment within `SearchTunables.requestTimeoutMs`.
    case requestsTimedOut
    /// Held requests dropped: the flow's next segment did not start at the expected sequence number.
    case requestsGap

    public var label: String {
        switch self {
        case .packets: "packets"
        case .notAccepted: "not_accepted"
        case .filtered: "filtered"
        case .notHTTP: "not_http"
        case .noContext: "no_context"
        case .events: "events"
        case .ringbufFull: "ringbuf_full"
        case .tailCallFailed: "tail_call_failed"
        case .truncated: "truncated"
        case .candidatesDropped: "candidates_dropped"
        case .segmentsHeld: "segments_held"
        case .segmentsResumed: "segments_resumed"
        case .requestsClosed: "requests_closed"
        case .requestsTimedOut: "requests_timed_out"
        case .requestsGap: "requests_gap"
        }
    }

    /// The C enumerator, `MT_COUNTER_RINGBUF_FULL`.
    public var cName: String { "MT_COUNTER_\(label.uppercased())" }
}
