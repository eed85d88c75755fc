import BPF
import Foundation
import Spec

/// One program of a generated object, as the report shows it.
public struct ProgramMeasurement: Codable, Hashable, Sendable {
    public var name: String
    public var section: String
    public var role: String
    public var instructions: Int
    public var budget: Int
    /// Loops in the program's control flow; the unrolled profile has none.
    public var backEdges: Int
    /// The verifier's processed-instruction count, when the kernel let the tool load the object.
    public var verifiedInstructions: Int?

    /// Counts every program of `object` without loading it (libbpf's bpf_program__insn_cnt), plus
    /// all of `.text`, the subprograms libbpf may append at load time (bpf_loop's callbacks): an
    /// upper bound, since which program takes which subprogram is only settled by relocation.
    static func measure(_ object: URL, plan: SearchPlan) throws -> [ProgramMeasurement] {
        let bpf = try BPFObject(path: object.path)
        let subprograms = bpf.subprogramInstructions
        return bpf.programs.map { program in
            ProgramMeasurement(name: program.name, section: program.section, role: role(of: program.name, plan: plan),
                               instructions: program.instructionCount + subprograms, budget: plan.budget,
                               backEdges: ControlFlow.backEdges(program.instructions))
        }.sorted { order($0.name) < order($1.name) }
    }

    enum Verification {
        case loaded
        case noPrivilege
        case rejected(BPFError)
    }

    /// Loads the object (and unloads it at once) to record each program's verified_insns.
    static func verify(_ object: URL, programs: inout [ProgramMeasurement]) -> Verification {
        guard Capabilities.canLoadBPF else { return .noPrivilege }
        let bpf: BPFObject
        do {
            bpf = try BPFObject(path: object.path)
            try bpf.load()
        } catch let error as BPFError {
            return .rejected(error)
        } catch {
            return .rejected(.system(operation: "loading \(object.lastPathComponent)", errno: EINVAL))
        }
        for index in programs.indices {
            programs[index].verifiedInstructions = bpf.program(named: programs[index].name)?.verifiedInstructions
        }
        return .loaded
    }

    static func role(of name: String, plan: SearchPlan) -> String {
        switch name {
        case "mt_ingress": return "entry (tc ingress)"
        case "mt_egress": return "entry (tc egress)"
        case "mt_finish": return "finish (emit event)"
        default:
            if let chunk = Int(name.dropFirst("mt_search_".count)), name.hasPrefix("mt_search_") {
                return "search chunk \(chunk + 1) of \(plan.chunks)"
            }
            return "program"
        }
    }

    /// Entries first, then the chunks in chain order, then finish.
    private static func order(_ name: String) -> (Int, Int, String) {
        if name.hasPrefix("mt_search_"), let chunk = Int(name.dropFirst("mt_search_".count)) { return (1, chunk, name) }
        if name == "mt_finish" { return (2, 0, name) }
        return (0, 0, name)
    }

    var isSearchChunk: Bool { name.hasPrefix("mt_search_") }
}
