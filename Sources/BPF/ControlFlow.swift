import CLibBPF
import Foundation

/// The control-flow graph of a program's instructions, for the property pre-5.3 verifiers
/// enforce: no back-edge (a jump to an instruction on the current depth-first path). A jump to
/// a lower address that closes no cycle is a cross edge, which those verifiers accept.
///
/// Instructions are taken as compiled: a bpf-to-bpf call's target is a relocation into `.text`,
/// so the call falls through here, and `.text` (every function in it) is checked on its own.
public enum ControlFlow {
    /// The number of back-edges (loops) in `instructions`, from every function start: an
    /// instruction no earlier depth-first walk reached.
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
                // A helper call, or a bpf-to-bpf call into `.text`: either comes back.
                return [pc + 1]
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
        for root in 0..<count where color[root] == .white {
            backEdges += walk(from: root)
        }
        return backEdges

        // Iterative DFS: (pc, next successor index).
        func walk(from root: Int) -> Int {
        var backEdges = 0
        var stack: [(Int, Int)] = [(root, 0)]
        color[root] = .grey
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
}
