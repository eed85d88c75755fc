import ObjectModel
import Spec

/// What the budget planner needs from the world: compile a source and count its programs, and
/// have the kernel verify the result. `ClangMeasurer` drives clang, libbpf and the kernel; unit
/// tests give a model, so planning is tested without clang and without root.
public protocol ProgramMeasurer {
    /// Compiles `source` for `plan` and counts every program (static instructions, back-edges).
    func compile(_ source: String, plan: SearchPlan) throws -> CompiledObject
    /// Loads the compiled object (and unloads it) to learn what the verifier makes of it.
    func verify(_ object: CompiledObject) throws -> Verification
}

/// A compiled object: its bytes, as they will be written out, and its programs' counts.
public struct CompiledObject: Sendable {
    public var bytes: [UInt8]
    /// Entries first, then the chunks in chain order, then finish.
    public var programs: [ProgramMeasurement]

    public init(bytes: [UInt8], programs: [ProgramMeasurement]) {
        self.bytes = bytes
        self.programs = programs.sorted { $0.program < $1.program }
    }

    /// The most instructions of any search chunk: what the chunk size decides.
    public var largestChunk: Int {
        programs.filter(\.program.isSearchChunk).map(\.instructions).max() ?? 0
    }
}

/// What the kernel said of an object.
public enum Verification: Sendable, Equatable {
    /// Every program loaded; the verifier's processed-instruction count of each.
    case loaded([ProgramSymbol: Int])
    /// This process may not load BPF programs (not root): counts stay static.
    case noPrivilege
    /// The kernel rejected `program` (nil when libbpf could not say which).
    case rejected(program: ProgramSymbol?, reason: String)
}
