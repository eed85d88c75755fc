import CLibBPF
import Foundation

/// The control-flow graph of a program's instructions, for the property pre-5.3 verifiers
/// enforce: no back-edge (a jump to an instruction on the current depth-first path). A jump to
/// a lower address that closes no cycle is a cross edge, which those verifiers accept.
public enum ControlFlow {
    /// The number of back-edges (loops) in `instructions`.
    public static func backEdges(_ instructions: [bpf_insn]) -> Int {
        let count = instructions.count
        guard count > 0 else { return 0 }
        func successors(_ pc: Int) -> [Int] {
            let insn = instructions[pc]
            let opcode = Int(insn.code)
            // BPF_LD | BPF_IMM | BPF_DW spans two slots.
            if opcode == 0x18 { return [pc + 2] }
            let instructionClass = opcode & 0x07
            guard instructionClass == 0x05 || instructionClass == 0x06 else { return [pc + 1] }
            let operation = opcode & 0xf0
            switch operation {
            case 0x90: return []  // exit
            case 0x80:
                // A bpf-to-bpf call (src_reg 1) enters a subprogram and comes back.
                return insn.src_reg == 1 ? [pc + 1, pc + 1 + Int(insn.imm)] : [pc + 1]
            case 0x00:
                // ja: the 32-bit form (gotol) keeps its offset in imm.
                return [pc + 1 + (instructionClass == 0x06 ? Int(insn.imm) : Int(insn.off))]
            default:
                return [pc + 1, pc + 1 + Int(insn.off)]
            }
        }
        enum Color { case white, grey, black }
        var color = [Color](repeating: .white, count: count)
        var backEdges = 0
        // Iterative DFS: (pc, next successor index).
        var stack: [(Int, Int)] = [(0, 0)]
        color[0] = .grey
        while let (pc, index) = stack.last {
            let next = successors(pc).filter { $0 >= 0 && $0 < count }
            if index < next.count {
                stack[stack.count - 1].1 += 1
                let target = next[index]
                switch color[target] {
                case .white:
                    color[target] = .grey
                    stack.append((target, 0))
                case .grey:
                    backEdges += 1
                case .black:
                    break
                }
            } else {
                color[pc] = .black
                stack.removeLast()
            }
        }
        return backEdges
    }
}
