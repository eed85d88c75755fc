@testable import Codegen
import ObjectModel
import Spec

/// A `ProgramMeasurer` that is a model of clang and the kernel, not a mock of either: each
/// program's size follows a cost law the test chooses, so the planner's decisions can be checked
/// against the law's exact optimum without compiling anything.
final class ModelMeasurer: ProgramMeasurer {
    /// Static instructions of a search chunk that covers `bytes` bytes.
    var chunkInstructions: (Int) -> Int
    var entryInstructions = 540
    var finishInstructions = 1400
    var backEdges = 0
    /// Instructions a scanned word (8 bytes) costs for each candidate-filter character past the first.
    var perWordFilterCharacter = 0
    /// What the verifier says of an object whose largest chunk has `chunkBytes` bytes.
    var verify: (Int) -> Verification = { _ in .loaded([:]) }
    private(set) var compiled: [SearchPlan] = []
    private(set) var verified: [Int] = []

    init(chunkInstructions: @escaping (Int) -> Int) {
        self.chunkInstructions = chunkInstructions
    }

    func compile(_ source: String, plan: SearchPlan) throws -> CompiledObject {
        compiled.append(plan)
        var programs = Hook.allCases.map {
            ProgramMeasurement(program: .entry($0), section: "tc", instructions: entryInstructions, budget: plan.budget, backEdges: 0, chunks: plan.chunks)
        }
        for program in plan.searchPrograms {
            // the middle chunks' program, like the first, covers a whole chunk; the last, the window's rest
            let chunk = if case .searchChunk(let k) = program { k } else { 1 }
            let bytes = min(plan.chunkBytes, plan.window - chunk * plan.chunkBytes)
            programs.append(ProgramMeasurement(program: program, section: "tc", instructions: chunkInstructions(bytes) + perWordFilterCharacter * (plan.candidateFilter - 1) * (bytes + 7) / 8,
                                               budget: plan.budget, backEdges: backEdges, chunks: plan.chunks))
        }
        programs.append(ProgramMeasurement(program: .finish, section: "tc", instructions: finishInstructions, budget: plan.budget, backEdges: 0, chunks: plan.chunks))
        // The bytes name the plan, so a test can tell which compile's object came back.
        return CompiledObject(bytes: Array(source.utf8), programs: programs)
    }

    func verify(_ object: CompiledObject) throws -> Verification {
        let chunk = compiled.last?.chunkBytes ?? 0
        verified.append(chunk)
        return verify(chunk)
    }
}

extension SpecIR {
    /// The smallest spec the planner can plan: what it reads is the window, placement and target.
    static func planned(window: Int, profile: LoopProfile, placement: Placement = .anywhere, budget: Int = 4096) -> SpecIR {
        var ir = SpecIR(name: "model", parser: ParserGraph(start: "start", states: [
            ParserState(name: "start", transition: .direct(next: ParserGraph.accept, line: nil)),
        ]))
        ir.search = SearchWindow(formats: [.w3c(tracestate: false)], placement: placement, bytes: window)
        ir.target = TargetProfile(instructionBudget: budget, profile: profile)
        return ir
    }
}
