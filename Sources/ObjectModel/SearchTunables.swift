import Spec

/// The constants of the search that are choices, not consequences of the spec: emitted into the
/// generated C as `#define`s and recorded in the manifest, so the reference interpreter models
/// exactly what the kernel was built with instead of a hand-kept copy.
public struct SearchTunables: Codable, Hashable, Sendable {
    /// `MT_PREFIX_CHARS`: characters of a line's start compared in the cheap candidate filter
    /// (1: the first character of some name, case-folded; 2: the first and the third of one name;
    /// 3: its first three; ':' after a shorter name). More is a stronger filter and more
    /// instructions per scanned word.
    public var prefixChars: Int
    /// `MT_MAX_CANDIDATES`: candidate lines one chunk compares in full, in every profile every
    /// line start the chunk can hold (a candidate is a name byte after a newline, so they are at
    /// least 2 bytes apart): no line is ever skipped. Each compare is a call of a function the
    /// verifier checks once (bpf_loop's callback, the counted drivers' mt_walk_next).
    public var candidatesPerChunk: Int
    /// `MT_OWS_MAX`: leading SP/HTAB skipped before a value; more stays in the value.
    public var leadingWhitespaceMax: Int
    /// `MT_MAX_HEADER_BYTES`: no header stack of a traced packet ends deeper than this (a bound
    /// the verifier needs on every packet offset).
    public var headerStackBytes: Int
    /// `MT_LEADING_LINES`: fixed placement only, header lines (lowercase names) passed over before
    /// the context block: `host`, which Envoy always writes first, so that what the context-first
    /// sidecar sends (the context right after Host) is found at a small window.
    public var leadingLines: [String]
    /// `MT_LINE_REACH`: bytes of a value's line, from its first byte, in which the kernel looks for
    /// the line's end to measure the value's true length; a line that goes on is reported as such
    /// (past reach), never guessed at. 512: the tracestate length W3C asks vendors to propagate
    /// (Level 1 §3.3.1.5), and more than any header's maximum (256).
    public var lineReach: Int

    /// `MT_REQUEST_FLOWS`: flows whose request's search goes on in the next segment, at once
    /// (`mt_requests`, an LRU hash: the least recently used one makes room).
    public var requestFlows: Int
    /// `MT_REQUEST_TIMEOUT_NS` (in ms here): a held request whose next segment comes later is dropped.
    public var requestTimeoutMs: Int

    public init(prefixChars: Int, candidatesPerChunk: Int, leadingWhitespaceMax: Int, headerStackBytes: Int, leadingLines: [String],
                lineReach: Int = 512, requestFlows: Int = 4096, requestTimeoutMs: Int = 1000) {
        self.prefixChars = prefixChars
        self.candidatesPerChunk = candidatesPerChunk
        self.leadingWhitespaceMax = leadingWhitespaceMax
        self.headerStackBytes = headerStackBytes
        self.leadingLines = leadingLines
        self.lineReach = lineReach
        self.requestFlows = requestFlows
        self.requestTimeoutMs = requestTimeoutMs
    }

    /// The tunables a plan is built with. Fixed placement passes over Host before the context block.
    public init(plan: SearchPlan) {
        self.init(prefixChars: plan.candidateFilter, candidatesPerChunk: plan.chunkBytes / 2 + 1, leadingWhitespaceMax: 16,
                  headerStackBytes: 1024, leadingLines: plan.placement == .fixed ? ["host"] : [])
    }

    /// The C macros, in emission order.
    public var cDefines: [(name: String, value: Int)] {
        [("MT_PREFIX_CHARS", prefixChars), ("MT_MAX_CANDIDATES", candidatesPerChunk),
         ("MT_OWS_MAX", leadingWhitespaceMax), ("MT_MAX_HEADER_BYTES", headerStackBytes), ("MT_LINE_REACH", lineReach),
         ("MT_REQUEST_FLOWS", requestFlows), ("MT_REQUEST_TIMEOUT_NS", requestTimeoutMs * 1_000_000)]
    }
}
