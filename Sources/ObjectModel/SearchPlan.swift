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

    /// Whether the chunks between the first and the last share one program (`mt_search_middle`):
    /// in the unrolled profile, whose chunks are 3.4k instructions each, where a program per chunk
    /// had the instruction cache fetch each anew (its 8 KiB search took 0.75-0.79 of the time
    /// with one, timed in one run). Not with loops: sharing gained nothing there (0.97-1.02), and
    /// clang compiled the same C of chunk 0 differently beside one middle program, which took the
    /// verifier past its 1M instructions (plain-http, 4096 B fixed; 53k with a program per chunk).
    public var sharesMiddleChunks: Bool { profile == .unrolled }

    /// The tail-call chain in `mt_progs` order: the chunks, then finish (the manifest adds mt_hold
    /// after it when the record follows split requests). Slot k holds the program that searches
    /// chunk k: its own, or `mt_search_middle` for those between the first and the last when
    /// `sharesMiddleChunks`.
    public var tailCalls: [ProgramSymbol] {
        let searches = (0..<chunks).map { chunk in
            sharesMiddleChunks && chunk > 0 && chunk < chunks - 1 ? ProgramSymbol.searchMiddleChunks : .searchChunk(chunk)
        }
        return searches + [.finish]
    }

    /// The search programs, each once, in chain order.
    public var searchPrograms: [ProgramSymbol] {
        tailCalls.filter(\.isSearchChunk).reduce(into: []) { programs, symbol in
            if programs.last != symbol { programs.append(symbol) }
        }
    }
}
