/// The counters every generated object keeps in `mt_counters`, in index order. The C enum is
/// generated from this list, so the runner and the kernel side cannot disagree.
public enum KernelCounter: Int, CaseIterable, Sendable {
    case packets, notAccepted, filtered, notHTTP, noContext, events, ringbufFull, tailCallFailed, truncated
    /// Unrolled profile: candidate header lines in one chunk beyond what it compares.
    case candidatesDropped

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
        }
    }

    /// The C enumerator, `MT_COUNTER_RINGBUF_FULL`.
    public var cName: String { "MT_COUNTER_\(label.uppercased())" }
}
