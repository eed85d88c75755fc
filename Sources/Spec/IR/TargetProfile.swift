/// The kernel the generated code must load on, and the budgets it must stay within.
public struct TargetProfile: Codable, Hashable, Sendable {
    public static let instructionBudgetRange = 64...1_000_000

    /// The most instructions any one program may have (the classic 4096 limit).
    public var instructionBudget: Int
    /// The most instructions the verifier may process for one program.
    public var complexityBudget: Int
    public var profile: LoopProfile
    public var line: Int?

    public init(instructionBudget: Int = 4096, complexityBudget: Int = 1_000_000, profile: LoopProfile = .unrolled, line: Int? = nil) {
        self.instructionBudget = instructionBudget
        self.complexityBudget = complexityBudget
        self.profile = profile
        self.line = line
    }
}

/// How repeated work is expressed, which decides the oldest kernel the code loads on.
public enum LoopProfile: String, Codable, Hashable, Sendable, CaseIterable {
    /// No back-edges at all: verifiable before Linux 5.3.
    case unrolled
    /// Bounded loops (Linux 5.3 and later).
    case loops
    /// The `bpf_loop` helper (Linux 5.17 and later).
    case bpfLoop = "bpf_loop"
}
