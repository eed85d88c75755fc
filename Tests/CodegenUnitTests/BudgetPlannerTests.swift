@testable import Codegen
import Foundation
import ObjectModel
import Spec
import XCTest

/// The planner as a pure function: its choices against a cost law with a known optimum.
final class BudgetPlannerTests: XCTestCase {
    func plan(_ ir: SpecIR, _ measurer: ModelMeasurer, verify: Bool = true) throws -> BudgetPlanner.Result {
        try BudgetPlanner().plan(ir: ir, verify: verify, measurer: measurer) { plan in "plan \(plan.chunkBytes)" }
    }

    /// The fewest chunks whose largest one stays within the planner's aim under `law`.
    func fewestChunks(window: Int, budget: Int, law: (Int) -> Int) -> Int {
        let aim = Double(budget) * BudgetPlanner.headroom
        return (1...BudgetPlanner.maxChunks).first { chunks in
            let bytes = ((window + chunks - 1) / chunks + 7) / 8 * 8
            return Double(law(bytes)) <= aim
        }!
    }

    func testAffineCostFindsTheFewestChunksInThreeCompiles() throws {
        // Unrolled code: a fixed part and about 7 instructions a byte, as measured on specs/mesh.swift.
        for (fixed, perByte) in [(1500, 7.0), (900, 9.5), (2100, 5.2)] {
            let law = { (bytes: Int) in fixed + Int(perByte * Double(bytes)) }
            let measurer = ModelMeasurer(chunkInstructions: law)
            let result = try plan(.planned(window: 8192, profile: .unrolled), measurer)
            XCTAssertEqual(result.plan.chunks, fewestChunks(window: 8192, budget: 4096, law: law), "fixed \(fixed), \(perByte)/B")
            XCTAssertLessThanOrEqual(result.attempts, 3, "fixed \(fixed), \(perByte)/B: \(measurer.compiled.map(\.chunkBytes))")
            XCTAssertTrue(result.object.programs.allSatisfy { $0.instructions <= 4096 })
            // Balanced: the chunk is no larger than the chunk count needs.
            XCTAssertLessThan(result.plan.chunkBytes * (result.plan.chunks - 1), 8192)
        }
    }

    func testTheReturnedObjectIsTheOneMeasuredForThePlan() throws {
        let measurer = ModelMeasurer { 1500 + 7 * $0 }
        let result = try plan(.planned(window: 4096, profile: .unrolled), measurer)
        XCTAssertEqual(result.source, "plan \(result.plan.chunkBytes)")
        XCTAssertEqual(result.object.bytes, Array(result.source.utf8))
        XCTAssertEqual(result.attempts, Set(measurer.compiled.map(\.chunkBytes)).count)
        XCTAssertEqual(result.verification, .loaded([:]))
    }

    func testTheStrongerCandidateFilterUnlessTheWindowNeedsMoreChunksWithIt() throws {
        // Unrolled, as measured on specs/mesh.swift: the second filter character costs about 4
        // instructions a byte (a 256-byte chunk 4058 with it); with it 8 KiB needs more than 31
        // chunks, without it 26.
        let measurer = ModelMeasurer { 1500 + 7 * $0 }
        measurer.perWordFilterCharacter = 32
        let wide = try plan(.planned(window: 8192, profile: .unrolled), measurer)
        XCTAssertEqual(wide.plan.candidateFilter, 1)
        XCTAssertLessThanOrEqual(wide.plan.chunks, BudgetPlanner.maxChunks)
        XCTAssertEqual(Set(measurer.compiled.map(\.candidateFilter)), [2, 1], "the two-character filter was tried first")
        XCTAssertEqual(wide.attempts, measurer.compiled.count, "every compile counts, the other filter's too")
        let narrow = try plan(.planned(window: 2048, profile: .unrolled), ModelMeasurer { 1500 + 7 * $0 })
        XCTAssertEqual(narrow.plan.candidateFilter, 2)
        XCTAssertEqual(try plan(.planned(window: 8192, profile: .bpfLoop), ModelMeasurer { _ in 1400 }).plan.candidateFilter, 3)
    }

    func testSmallWindowTakesOneCompile() throws {
        let measurer = ModelMeasurer { 1500 + 7 * $0 }
        let result = try plan(.planned(window: 200, profile: .unrolled), measurer)
        XCTAssertEqual(result.plan.chunks, 1)
        XCTAssertEqual(result.plan.chunkBytes, 200)
        XCTAssertEqual(measurer.compiled.count, 1)
    }

    func testFlatLoopProgramsTakeTheProfilesLargestChunk() throws {
        let measurer = ModelMeasurer { _ in 427 }
        let result = try plan(.planned(window: 8192, profile: .loops), measurer)
        XCTAssertEqual(result.plan.chunkBytes, BudgetPlanner.maxChunk(.loops))
        XCTAssertEqual(result.plan.chunks, 16)
        XCTAssertEqual(measurer.compiled.count, 1)
    }

    func testAChunkTheVerifierRejectsIsReplannedSmaller() throws {
        let measurer = ModelMeasurer { _ in 500 }
        measurer.verify = { bytes in
            bytes > 2048 ? .rejected(program: .searchChunk(0), reason: "too complex") : .loaded([.searchChunk(0): 100_000])
        }
        let result = try plan(.planned(window: 8192, profile: .bpfLoop), measurer)
        XCTAssertLessThanOrEqual(result.plan.chunkBytes, 2048)
        XCTAssertEqual(result.verification, .loaded([.searchChunk(0): 100_000]))
    }

    func testVerifierWorkOverTheComplexityBudgetShrinksTheChunk() throws {
        let measurer = ModelMeasurer { _ in 427 }
        measurer.verify = { bytes in .loaded([.searchChunk(0): bytes * 3000]) }
        let result = try plan(.planned(window: 4096, profile: .loops), measurer)
        XCTAssertLessThanOrEqual(result.plan.chunkBytes * 3000, 1_000_000)
    }

    func testARejectedEntryProgramIsAnError() {
        let measurer = ModelMeasurer { 1500 + 7 * $0 }
        measurer.verify = { _ in .rejected(program: .entry(.ingress), reason: "invalid access") }
        XCTAssertThrowsError(try plan(.planned(window: 200, profile: .unrolled), measurer)) { error in
            XCTAssertEqual(error as? CodegenError, .rejected("invalid access"))
        }
    }

    func testWithoutPrivilegeThePlanIsStatic() throws {
        let measurer = ModelMeasurer { 1500 + 7 * $0 }
        measurer.verify = { _ in .noPrivilege }
        let result = try plan(.planned(window: 1600, profile: .unrolled), measurer)
        XCTAssertEqual(result.verification, .noPrivilege)
        XCTAssertEqual(measurer.verified.count, 1, "asked once, then planned on static counts")
    }

    func testAFixedProgramOverBudgetFailsAtOnce() {
        let measurer = ModelMeasurer { 1500 + 7 * $0 }
        measurer.finishInstructions = 5000
        XCTAssertThrowsError(try plan(.planned(window: 8192, profile: .unrolled), measurer)) { error in
            XCTAssertEqual(error as? CodegenError, .overBudget(program: "mt_finish", instructions: 5000, budget: 4096))
        }
        XCTAssertEqual(measurer.compiled.count, 1)
    }

    func testALoopInTheUnrolledProfileFails() {
        let measurer = ModelMeasurer { 1500 + 7 * $0 }
        measurer.backEdges = 1
        XCTAssertThrowsError(try plan(.planned(window: 800, profile: .unrolled), measurer)) { error in
            XCTAssertEqual(error as? CodegenError, .loopInUnrolledProfile(program: "mt_search_0"))
        }
    }

    func testAWindowNoPlanCanCoverFailsBeforeCompiling() {
        let measurer = ModelMeasurer { 1500 + 7 * $0 }
        XCTAssertThrowsError(try plan(.planned(window: 32 * 512 + 8, profile: .unrolled), measurer)) { error in
            XCTAssertEqual(error as? CodegenError, .windowTooLarge(window: 32 * 512 + 8, profile: .unrolled, chunkBytes: 512, maxChunks: 32))
        }
        XCTAssertTrue(measurer.compiled.isEmpty)
    }

    func testNoCandidateHasMoreChunksThanTailCallsAllow() {
        // 16 KiB in 32 chunks needs 512 B ones, over budget under this law: no plan, and no
        // candidate past 32 chunks was ever compiled (the templates would refuse it).
        let measurer = ModelMeasurer { 1500 + 7 * $0 }
        XCTAssertThrowsError(try plan(.planned(window: 16384, profile: .unrolled), measurer)) { error in
            XCTAssertEqual(error as? CodegenError, .windowTooLarge(window: 16384, profile: .unrolled, chunkBytes: 512, maxChunks: 32))
        }
        let heavy = ModelMeasurer { 3000 + 7 * $0 }
        XCTAssertThrowsError(try plan(.planned(window: 8192, profile: .unrolled), heavy))
        for compiled in measurer.compiled + heavy.compiled {
            XCTAssertLessThanOrEqual(compiled.chunks, BudgetPlanner.maxChunks)
        }
    }

    func testABudgetNoChunkFitsIsAnError() {
        let measurer = ModelMeasurer { 3000 + 7 * $0 }
        XCTAssertThrowsError(try plan(.planned(window: 8192, profile: .unrolled, budget: 3000), measurer))
        XCTAssertLessThanOrEqual(measurer.compiled.count, BudgetPlanner.maxAttempts)
    }

    func testOverridesAreValidatedLikeTheSpec() throws {
        // specs/mesh.swift's IR, as its golden records it: a spec the validator accepts.
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SpecTests/Goldens/mesh.ir.json")
        let ir = try SpecEncoding.decode(Data(contentsOf: golden))
        XCTAssertEqual(try Overrides(window: 8192, profile: .bpfLoop).applied(to: ir).search.bytes, 8192)
        XCTAssertThrowsError(try Overrides(window: 20000, profile: .unrolled).applied(to: ir)) { error in
            let diagnostics = (error as? InvalidOverrides)?.diagnostics ?? []
            // mesh.swift records .segment: its packets may take mt_hold after mt_finish, one chunk fewer.
            XCTAssertTrue(diagnostics.contains { $0.message.contains("needs more than 31 chunks") }, "\(diagnostics)")
        }
        XCTAssertThrowsError(try Overrides(window: 0).applied(to: ir))
    }
}
