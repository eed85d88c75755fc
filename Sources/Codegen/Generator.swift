import BPF
import Foundation
import Spec

/// `meshtrace-gen SPEC -o DIR`: plans, writes `<spec>.bpf.c`, compiles `<spec>.bpf.o`, measures
/// every program (and, where the kernel allows, loads it for the verifier's count), and writes
/// `<spec>.report.json`. A program over budget is an error; nothing over budget is written.
public struct Generator {
    public let planner: BudgetPlanner

    public init(planner: BudgetPlanner) {
        self.planner = planner
    }

    public struct Options: Sendable {
        public var window: Int?
        public var placement: Placement?
        public var profile: LoopProfile?
        public var budget: Int?
        /// Load the object to read verified_insns (needs CAP_BPF; skipped, not failed, without it).
        public var verify: Bool

        public init(window: Int? = nil, placement: Placement? = nil, profile: LoopProfile? = nil, budget: Int? = nil, verify: Bool = true) {
            self.window = window
            self.placement = placement
            self.profile = profile
            self.budget = budget
            self.verify = verify
        }
    }

    public struct Output {
        public var source: URL
        public var object: URL
        public var report: CodegenReport
    }

    public func generate(ir: SpecIR, specFile: String, options: Options, into directory: URL) throws -> Output {
        var ir = ir
        if let window = options.window { ir.search.bytes = window }
        if let placement = options.placement { ir.search.placement = placement }
        if let profile = options.profile { ir.target.profile = profile }
        if let budget = options.budget { ir.target.instructionBudget = budget }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try planner.driver.checkPrerequisites()
        let result = try planner.plan(
            ir: ir, specFile: specFile, window: ir.search.bytes, placement: ir.search.placement,
            profile: ir.target.profile, budget: ir.target.instructionBudget, verify: options.verify, in: directory
        )
        let base = ir.fileBaseName
        let source = directory.appendingPathComponent("\(base).bpf.c")
        let object = directory.appendingPathComponent("\(base).bpf.o")
        try result.source.write(to: source, atomically: true, encoding: .utf8)
        try planner.driver.compile(source: source, output: object, profile: result.plan.profile)
        var programs = try ProgramMeasurement.measure(object, plan: result.plan)
        var verification = "not attempted (--no-verify)"
        if options.verify {
            switch ProgramMeasurement.verify(object, programs: &programs) {
            case .loaded: verification = "loaded: every program passed this kernel's verifier"
            case .noPrivilege: verification = "skipped: no privilege to load BPF programs (run as root for verified counts)"
            case .rejected(let error): throw CodegenError.rejected(error.description)
            }
        }
        let report = CodegenReport(
            spec: ir.name, specFile: specFile, clang: try planner.driver.version(), plan: result.plan,
            planningCompiles: result.attempts, verification: verification, programs: programs
        )
        try report.encoded().write(to: directory.appendingPathComponent("\(base).report.json"))
        return Output(source: source, object: object, report: report)
    }

}
