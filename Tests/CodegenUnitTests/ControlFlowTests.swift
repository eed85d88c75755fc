import BPF
import CLibBPF
import XCTest

/// Back-edge counting over hand-assembled instruction streams: what pre-5.3 verifiers reject.
final class ControlFlowTests: XCTestCase {
    func insn(_ code: Int, offset: Int = 0, source: UInt8 = 0, immediate: Int32 = 0) -> bpf_insn {
        var instruction = bpf_insn()
        instruction.code = UInt8(code)
        instruction.off = Int16(offset)
        instruction.imm = immediate
        instruction.src_reg = source
        return instruction
    }

    let mov = 0xb7, jeqImmediate = 0x15, ja = 0x05, exit = 0x95, ldDoubleWord = 0x18, call = 0x85

    func testStraightLineAndForwardBranchesHaveNoLoop() {
        XCTAssertEqual(ControlFlow.backEdges([insn(mov), insn(jeqImmediate, offset: 1), insn(mov), insn(exit)]), 0)
        XCTAssertEqual(ControlFlow.backEdges([]), 0)
    }

    func testABackwardJumpOnThePathIsALoop() {
        // 0: mov; 1: jeq +1; 2: ja -3 (to 0); 3: exit
        XCTAssertEqual(ControlFlow.backEdges([insn(mov), insn(jeqImmediate, offset: 1), insn(ja, offset: -3), insn(exit)]), 1)
    }

    func testABackwardJumpThatClosesNoCycleIsACrossEdge() {
        // 0: jeq +2 → 3; 1: mov; 2: exit; 3: ja -3 → 1 (1 is not on the path 0 → 3): no loop.
        XCTAssertEqual(ControlFlow.backEdges([insn(jeqImmediate, offset: 2), insn(mov), insn(exit), insn(ja, offset: -3)]), 0)
    }

    func testWideLoadsAndCallsAreFollowed() {
        // A 16-byte load takes two slots; a helper call falls through; exit.
        XCTAssertEqual(ControlFlow.backEdges([insn(ldDoubleWord), insn(0), insn(call, immediate: 1), insn(exit)]), 0)
    }

    /// As compiled, a bpf-to-bpf call's target is a relocation (imm -1 for the start of `.text`):
    /// it falls through, and is no loop on itself.
    func testACallIntoTextFallsThrough() {
        let program = [insn(mov), insn(call, source: 1, immediate: -1), insn(exit)]
        XCTAssertEqual(ControlFlow.backEdges(program), 0)
    }

    /// `.text` holds several functions: a loop in any of them counts, wherever it starts.
    func testEveryFunctionOfASectionIsWalked() {
        // 0: mov; 1: exit | 2: mov; 3: ja -2 (to 2)
        XCTAssertEqual(ControlFlow.backEdges([insn(mov), insn(exit), insn(mov), insn(ja, offset: -2)]), 1)
    }
}
