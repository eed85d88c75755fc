import ObjectModel
import Spec

/// Chooses how many bytes each search chunk covers, with as few chunks (tail calls) as the budget
/// allows: compiles a candidate, measures it, fits a cost model (`ChunkCostModel`) and tries the
/// chunk it predicts, until no candidate with fewer chunks is left. A pure function of the spec
/// and of what the measurer reports; the object it returns is the one that was measured (and
/// verified), so the generator never compiles twice.
public struct BudgetPlanner {
    /// Tail calls a packet may take: chunks plus the finish program (the kernel allows 33).
    public static let maxChunks = 32

    /// The chunks `ir` may have: one fewer when its record follows split requests, whose
    /// packets may take mt_hold after mt_finish.
    public static func maxChunks(_ ir: SpecIR) -> Int {
        maxChunks - (ir.record.followsSplitRequests ? 1 : 0)
    }
    static let maxAttempts = 10
    /// Aim a little under the budget, so a clang update does not tip a program over.
    static let headroom = 0.97

    public init() {}

    public struct Result: Sendable {
        public var plan: SearchPlan
        public var source: String
        public var object: CompiledObject
        /// What the kernel said of `object`; nil when verification was not asked for.
        public var verification: Verification?
        /// Candidates compiled.
        public var attempts: Int
    }

    /// Bytes per chunk of a first attempt: unrolled code grows by about 7 instructions a byte over
    /// a ~1.5k base, so 256 B fits every header set; loop profiles are bounded by `maxChunk`.
    static func initialChunk(window: Int, profile: LoopProfile, maxChunks: Int) -> Int {
        let guess = switch profile {
        case .unrolled: 256
        case .loops: 512
        case .bpfLoop: 4096
        }
        return max(smallestChunk(window: window, maxChunks: maxChunks), SearchPlan.roundedChunk(min(window, guess)))
    }

    /// The largest chunk a profile takes: unrolled chunks keep one 64-bit word bitmap; past 512 B
    /// the verifier's work for bounded loops climbs steeply (an 8-header set fails at 1 KiB);
    /// bpf_loop verifies its callback once, whatever the count.
    public static func maxChunk(_ profile: LoopProfile) -> Int {
        switch profile {
        case .unrolled, .loops: 512
        case .bpfLoop: 8192
        }
    }

    /// The smallest chunk that covers `window` in `maxChunks` chunks.
    static func smallestChunk(window: Int, maxChunks: Int) -> Int {
        ((window + maxChunks - 1) / maxChunks + 7) / 8 * 8
    }

    /// Plans `ir` (its window, placement, profile and budgets, overrides applied). `emit` writes
    /// the C of a candidate plan. With `verify`, a candidate the kernel rejects in a search chunk,
    /// or verifies in more than the complexity budget, is re-planned with smaller chunks.
    /// The strongest candidate filter first; the next one only when the window does not fit the
    /// tail-call limit with it (the report says which was taken).
    public func plan(ir: SpecIR, verify: Bool, measurer: ProgramMeasurer, emit: (SearchPlan) throws -> String) throws -> Result {
        let filters = SearchPlan.candidateFilters(ir.target.profile)
        var compiles = 0
        for (index, filter) in filters.enumerated() {
            do {
                var result = try plan(ir: ir, candidateFilter: filter, verify: verify, measurer: measurer, emit: emit, compiles: &compiles)
                result.attempts = compiles
                return result
            } catch CodegenError.windowTooLarge where index + 1 < filters.count {
                continue
            }
        }
        preconditionFailure("every profile has a candidate filter (SearchPlan.candidateFilters)")
    }

    private func plan(ir: SpecIR, candidateFilter: Int, verify: Bool, measurer: ProgramMeasurer,
                      emit: (SearchPlan) throws -> String, compiles: inout Int) throws -> Result {
        let window = ir.search.bytes, profile = ir.target.profile, budget = ir.target.instructionBudget
        let maxChunks = Self.maxChunks(ir)
        guard window <= maxChunks * Self.maxChunk(profile) else {
            throw CodegenError.windowTooLarge(window: window, profile: profile, chunkBytes: Self.maxChunk(profile), maxChunks: maxChunks)
        }
        let verifyAsked = verify
        var verify = verify
        var model = ChunkCostModel(profile: profile)
        /// Chunks known not to fit (over budget, rejected, too complex): every larger one fails too.
        var ceiling = min(Self.maxChunk(profile), SearchPlan.roundedChunk(window + 7))
        var chunk = Self.initialChunk(window: window, profile: profile, maxChunks: maxChunks)
        var best: Result?
        var tried: Set<Int> = []
        var lastRejection: String?
        for _ in 1...Self.maxAttempts {
            tried.insert(chunk)
            compiles += 1
            let plan = SearchPlan(window: window, placement: ir.search.placement, profile: profile, budget: budget, chunkBytes: chunk,
                                  candidateFilter: candidateFilter)
            let source = try emit(plan)
            let object = try measurer.compile(source, plan: plan)
            try Self.checkFixedPrograms(object, plan: plan)
            let largest = object.largestChunk
            model.record(chunkBytes: chunk, instructions: largest)
            var fits = largest <= budget
            // Once the kernel said no privilege, every later candidate stays unverified for that reason.
            var verification: Verification? = verifyAsked && !verify ? .noPrivilege : nil
            if fits, verify {
                let outcome = try measurer.verify(object)
                switch outcome {
                case .noPrivilege:
                    verify = false
                    verification = outcome
                case .rejected(let program, let reason):
                    guard program?.isSearchChunk ?? false else { throw CodegenError.rejected(reason) }
                    lastRejection = reason
                    fits = false
                    ceiling = min(ceiling, SearchPlan.roundedChunk(chunk / 2))
                case .loaded(let counts):
                    let complexity = counts.values.max() ?? 0
                    if complexity > ir.target.complexityBudget {
                        fits = false
                        // Verifier work grows faster than the chunk: aim 10 % under proportional.
                        ceiling = min(ceiling, SearchPlan.roundedChunk(chunk * ir.target.complexityBudget / complexity * 9 / 10))
                    }
                    verification = outcome
                }
            }
            if fits {
                if best.map({ plan.chunks < $0.plan.chunks }) ?? true {
                    best = Result(plan: plan, source: source, object: object, verification: verification, attempts: 0)
                }
            } else {
                ceiling = min(ceiling, chunk - 8)
            }
            let predicted = model.largestChunk(within: Double(budget) * Self.headroom) ?? chunk
            let limit = SearchPlan.roundedChunk(min(predicted, ceiling))
            // No candidate with more than maxChunks chunks: the tail-call limit.
            guard limit >= Self.smallestChunk(window: window, maxChunks: maxChunks) else { break }
            let next = SearchPlan.balancedChunk(window: window, limit: limit)
            let nextChunks = (window + next - 1) / next
            if let best, nextChunks >= best.plan.chunks { break }
            if tried.contains(next) { break }
            chunk = next
        }
        guard let chosen = best else {
            if let lastRejection { throw CodegenError.rejected(lastRejection) }
            throw CodegenError.windowTooLarge(window: window, profile: profile, chunkBytes: chunk, maxChunks: maxChunks)
        }
        return chosen
    }

    /// The entry and finish programs do not depend on the chunk: over budget, no plan helps.
    static func checkFixedPrograms(_ object: CompiledObject, plan: SearchPlan) throws {
        if let fixed = object.programs.first(where: { !$0.program.isSearchChunk && $0.instructions > plan.budget }) {
            throw CodegenError.overBudget(program: fixed.name, instructions: fixed.instructions, budget: plan.budget)
        }
        if plan.profile == .unrolled, let looping = object.programs.first(where: { $0.backEdges > 0 }) {
            throw CodegenError.loopInUnrolledProfile(program: looping.name)
        }
    }
}
