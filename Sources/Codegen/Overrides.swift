import Spec

/// What `meshtrace-gen` flags change of a spec: applied in one place and validated like the
/// spec itself, so an override gets the same named diagnostics a spec line would.
public struct Overrides: Sendable, Hashable {
    public var window: Int?
    public var placement: Placement?
    public var profile: LoopProfile?
    public var budget: Int?

    public init(window: Int? = nil, placement: Placement? = nil, profile: LoopProfile? = nil, budget: Int? = nil) {
        self.window = window
        self.placement = placement
        self.profile = profile
        self.budget = budget
    }

    /// `ir` with the overrides, or the diagnostics that reject the result.
    public func applied(to ir: SpecIR) throws -> SpecIR {
        var ir = ir
        if let window { ir.search.bytes = window }
        if let placement { ir.search.placement = placement }
        if let profile { ir.target.profile = profile }
        if let budget { ir.target.instructionBudget = budget }
        var diagnostics = SpecValidator.validate(ir)
        let maxChunks = BudgetPlanner.maxChunks(ir)
        let limit = maxChunks * BudgetPlanner.maxChunk(ir.target.profile)
        if ir.search.bytes > limit {
            diagnostics.append(SpecDiagnostic(line: ir.search.line, "a \(ir.search.bytes)-byte window needs more than \(maxChunks) "
                + "chunks of \(BudgetPlanner.maxChunk(ir.target.profile)) bytes in the \(ir.target.profile.rawValue) profile; "
                + "the largest is \(limit) bytes (bpf_loop takes \(maxChunks * BudgetPlanner.maxChunk(.bpfLoop)))"))
        }
        guard diagnostics.isEmpty else { throw InvalidOverrides(diagnostics: diagnostics) }
        return ir
    }
}

/// The spec with the overrides fails validation; each diagnostic names its spec line.
public struct InvalidOverrides: Error, Equatable {
    public var diagnostics: [SpecDiagnostic]
}
