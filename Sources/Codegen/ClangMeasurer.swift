import BPF
import Foundation
import ObjectModel

/// The real `ProgramMeasurer`: clang compiles in a scratch directory, libbpf counts the programs
/// without loading them, and the kernel's verifier loads them when this process may.
public struct ClangMeasurer: ProgramMeasurer {
    public let driver: ClangDriver
    /// Where sources and objects are compiled (named by the spec, as the output will be).
    public let scratch: URL
    public let baseName: String

    public init(driver: ClangDriver, scratch: URL, baseName: String) {
        self.driver = driver
        self.scratch = scratch
        self.baseName = baseName
    }

    private var sourceURL: URL { scratch.appendingPathComponent("\(baseName).plan.bpf.c") }
    private var objectURL: URL { scratch.appendingPathComponent("\(baseName).plan.bpf.o") }

    public func compile(_ source: String, plan: SearchPlan) throws -> CompiledObject {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: sourceURL)
            try? FileManager.default.removeItem(at: objectURL)
        }
        try source.write(to: sourceURL, atomically: true, encoding: .utf8)
        try driver.compile(source: sourceURL, output: objectURL, profile: plan.profile)
        let bytes = try [UInt8](Data(contentsOf: objectURL))
        return CompiledObject(bytes: bytes, programs: try Self.measure(objectURL, plan: plan))
    }

    /// Counts every program of `object` without loading it (libbpf's bpf_program__insn_cnt), plus
    /// the `.text` functions it reaches (mt_finish's value measure, bpf_loop's callbacks), which
    /// libbpf appends to it at load time. Their loops count as the program's.
    static func measure(_ object: URL, plan: SearchPlan) throws -> [ProgramMeasurement] {
        let bpf = try BPFObject(path: object.path)
        let subprograms = try bpf.subprograms()
        return try bpf.programs.map { program in
            guard let symbol = ProgramSymbol(name: program.name) else { throw CodegenError.unexpectedProgram(program.name) }
            let reached = try subprograms.reached(byProgram: program.name)
            let instructions = program.instructions
            return ProgramMeasurement(program: symbol, section: program.section,
                                      instructions: program.instructionCount + reached.reduce(0) { $0 + $1.count }, budget: plan.budget,
                                      backEdges: ControlFlow.backEdges(instructions)
                                          + reached.reduce(0) { $0 + ControlFlow.backEdges(subprograms.instructions(of: $1)) },
                                      chunks: plan.chunks)
        }
    }

    public func verify(_ object: CompiledObject) throws -> Verification {
        guard Capabilities.canLoadBPF else { return .noPrivilege }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: objectURL) }
        try Data(object.bytes).write(to: objectURL)
        let bpf = try BPFObject(path: objectURL.path)
        do {
            try bpf.load()
        } catch let BPFError.load(program, code, log) {
            let reason = BPFError.load(program: program, errno: code, log: log).description
            return .rejected(program: program.flatMap(ProgramSymbol.init(name:)), reason: reason)
        }
        var counts: [ProgramSymbol: Int] = [:]
        for measured in object.programs {
            counts[measured.program] = bpf.program(named: measured.program.name)?.verifiedInstructions
        }
        return .loaded(counts)
    }
}
