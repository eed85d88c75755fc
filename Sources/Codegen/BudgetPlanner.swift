import BPF
import Foundation
import Spec

/// Chooses how many bytes each search chunk covers by compiling and measuring the real
/// instruction counts, re-planning until every program fits the budget, with as few chunks
/// (tail calls) as the budget allows.
public struct BudgetPlanner {
    /// Tail calls a packet may take: chunks plus the finish program.
    public static let maxChunks = 32
    static let maxAttempts = 10
    /// Aim a little under the budget, so a clang update does not tip a program over.
    static let headroom = 0.97

    public let driver: ClangDriver
    public let templates: Templates

    public init(driver: ClangDriver, templates: Templates) {
        self.driver = driver
        self.templates = templates
    }

    public struct Result {
        public var plan: SearchPlan
        public var source: String
        public var programs: [ProgramMeasurement]
        public var attempts: Int
    }

    /// Bytes per chunk that a first attempt uses, from measured costs of each profile: unrolled
    /// code grows by about 7 instructions a byte over a ~1.5k base (256 B fits every header set).
    static func initialChunk(window: Int, profile: LoopProfile) -> Int {
        let guess = switch profile {
        case .unrolled: 256
        case .loops: 512
        case .bpfLoop: 4096
        }
        return roundedChunk(min(window, guess))
    }

    /// The largest chunk a profile takes: unrolled chunks keep one 64-bit word bitmap; past 512 B
    /// the verifier's work for bounded loops climbs steeply (an 8-header set fails at 1 KiB);
    /// bpf_loop verifies its callback once, whatever the count.
    static func maxChunk(_ profile: LoopProfile) -> Int {
        switch profile {
        case .unrolled, .loops: 512
        case .bpfLoop: 8192
        }
    }

    static func roundedChunk(_ bytes: Int) -> Int {
        max(8, bytes / 8 * 8)
    }

    /// With `verify`, a plan whose search chunk the kernel rejects, or verifies in more than the
    /// complexity budget, is re-planned with smaller chunks (loop profiles are bounded by the
    /// verifier's work, not by their static size).
    public func plan(ir: SpecIR, specFile: String, window: Int, placement: Placement, profile: LoopProfile, budget: Int,
                     verify: Bool, in directory: URL) throws -> Result {
        var verify = verify
        let base = ir.fileBaseName
        var chunk = Self.initialChunk(window: window, profile: profile)
        var best: Result?
        var tried: Set<Int> = []
        var lastRejection: BPFError?
        for attempt in 1...Self.maxAttempts {
            let plan = SearchPlan(window: window, placement: placement, profile: profile, budget: budget, chunkBytes: chunk)
            guard plan.chunks <= Self.maxChunks else { break }
            tried.insert(chunk)
            let source = try ProgramEmitter(ir: ir, plan: plan, templates: templates, specFile: specFile).emit()
            let sourceURL = directory.appendingPathComponent("\(base).plan.bpf.c")
            let objectURL = directory.appendingPathComponent("\(base).plan.bpf.o")
            defer {
                try? FileManager.default.removeItem(at: sourceURL)
                try? FileManager.default.removeItem(at: objectURL)
            }
            try source.write(to: sourceURL, atomically: true, encoding: .utf8)
            try driver.compile(source: sourceURL, output: objectURL, profile: profile)
            var programs = try ProgramMeasurement.measure(objectURL, plan: plan)
            if let fixed = programs.first(where: { !$0.isSearchChunk && $0.instructions > budget }) {
                throw CodegenError.overBudget(program: fixed.name, instructions: fixed.instructions, budget: budget)
            }
            if profile == .unrolled, let looping = programs.first(where: { $0.backEdges > 0 }) {
                throw CodegenError.loopInUnrolledProfile(program: looping.name)
            }
            let largest = programs.filter(\.isSearchChunk).map(\.instructions).max() ?? 0
            if largest <= budget, verify {
                switch ProgramMeasurement.verify(objectURL, programs: &programs) {
                case .noPrivilege:
                    verify = false
                case .rejected(let error):
                    if case .load(let program?, _, _) = error, !program.hasPrefix("mt_search_") {
                        throw CodegenError.rejected(error.description)
                    }
                    lastRejection = error
                    chunk = Self.roundedChunk(chunk / 2)
                    continue
                case .loaded:
                    let complexity = programs.compactMap(\.verifiedInstructions).max() ?? 0
                    if complexity > ir.target.complexityBudget {
                        chunk = Self.roundedChunk(chunk * ir.target.complexityBudget / complexity * 9 / 10)
                        continue
                    }
                }
            }
            let result = Result(plan: plan, source: source, programs: programs, attempts: attempt)
            if largest <= budget, best.map({ $0.plan.chunks > plan.chunks }) ?? true {
                best = result
            }
            // Scale the chunk by how far the largest chunk program is from the budget.
            let target = Self.roundedChunk(Int(Double(chunk) * Double(budget) * Self.headroom / Double(max(largest, 1))))
            let next = min(target, Self.roundedChunk(window + 7), Self.maxChunk(profile))
            let fits = largest <= budget
            if fits && (next <= chunk || chunk >= window) { break }
            if tried.contains(next) { break }
            chunk = fits ? next : min(next, chunk - 8)
            if chunk < 8 { break }
        }
        guard var chosen = best else {
            if let lastRejection { throw CodegenError.rejected(lastRejection.description) }
            throw CodegenError.windowTooLarge(window: window, profile: profile, chunkBytes: chunk)
        }
        chosen.attempts = tried.count
        return chosen
    }
}
