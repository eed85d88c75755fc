import Spec

/// How the search window is cut into tail-called chunk programs.
public struct SearchPlan: Codable, Hashable, Sendable {
    public var window: Int
    public var placement: Placement
    public var profile: LoopProfile
    public var budget: Int
    public var chunkBytes: Int

    public init(window: Int, placement: Placement, profile: LoopProfile, budget: Int, chunkBytes: Int) {
        self.window = window
        self.placement = placement
        self.profile = profile
        self.budget = budget
        self.chunkBytes = chunkBytes
    }

    public var chunks: Int { max(1, (window + chunkBytes - 1) / chunkBytes) }

    /// The tail-call chain in `mt_progs` order: the chunks, then finish (the manifest adds mt_hold
    /// after it when the record follows split requests).
    public var tailCalls: [ProgramSymbol] { (0..<chunks).map(ProgramSymbol.searchChunk) + [.finish] }
}
