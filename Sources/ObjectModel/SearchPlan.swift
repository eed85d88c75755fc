import Spec

/// How the search window is cut into tail-called chunk programs.
public struct SearchPlan: Codable, Hashable, Sendable {
    public var window: Int
    public var placement: Placement
    public var profile: LoopProfile
    public var budget: Int
    public var chunkBytes: Int
    /// `MT_PREFIX_CHARS`: characters of a line's start the scan's candidate filter compares
    /// (`SearchTunables.prefixChars`), one of `candidateFilters(profile)`.
    public var candidateFilter: Int

    public init(window: Int, placement: Placement, profile: LoopProfile, budget: Int, chunkBytes: Int, candidateFilter: Int) {
        self.window = window
        self.placement = placement
        self.profile = profile
        self.budget = budget
        self.chunkBytes = chunkBytes
        self.candidateFilter = candidateFilter
    }

    /// The candidate filters a profile is planned with, strongest first (the planner takes the
    /// next only when a window does not fit the tail-call limit with the one before), measured:
    /// two characters (the first and the third: "x-b3-…" against "x-envoy-…", "x-forwarded-…",
    /// "x-request-id", whose second is '-' too) spare the full compare of most lines that are
    /// no context. Every unrolled character costs instructions in each scanned word, so an 8 KiB
    /// window needs one character to fit 31 chunks; `loops`' branch-free words with three
    /// characters took a 512-byte chunk past the verifier's 1 M; `bpf_loop` verifies its
    /// callback once and takes three.
    public static func candidateFilters(_ profile: LoopProfile) -> [Int] {
        switch profile {
        case .unrolled: [2, 1]
        case .loops: [2]
        case .bpfLoop: [3]
        }
    }

    public var chunks: Int { max(1, (window + chunkBytes - 1) / chunkBytes) }

    /// The tail-call chain in `mt_progs` order: the chunks, then finish (the manifest adds mt_hold
    /// after it when the record follows split requests).
    public var tailCalls: [ProgramSymbol] { (0..<chunks).map(ProgramSymbol.searchChunk) + [.finish] }
}
