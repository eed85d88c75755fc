import Foundation
import Spec

/// `meshtrace-gen SPEC -o DIR`: plans (compiling and measuring each candidate, verifying it where
/// the kernel allows), then writes the chosen candidate's `<spec>.bpf.c`, its object `<spec>.bpf.o`
/// and `<spec>.report.json`. A program over budget is an error; nothing over budget is written.
public struct Generator {
    public let driver: ClangDriver
    public let templates: Templates

    public init(driver: ClangDriver = ClangDriver(), templates: Templates) {
        self.driver = driver
        self.templates = templates
    }

    public struct Output: Sendable {
        public var source: URL
        public var object: URL
        public var report: CodegenReport
    }

    /// `ir` is the validated spec with its overrides applied (`Overrides.applied(to:)`). With
    /// `verify`, the object is loaded for the verifier's counts (skipped, not failed, without privilege).
    public func generate(ir: SpecIR, specFile: String, verify: Bool, into directory: URL) throws -> Output {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try driver.checkPrerequisites()
        let measurer = ClangMeasurer(driver: driver, scratch: directory, baseName: ir.fileBaseName)
        let result = try BudgetPlanner().plan(ir: ir, verify: verify, measurer: measurer) { plan in
            try ProgramEmitter(ir: ir, plan: plan, templates: templates, specFile: specFile).emit()
        }
        let source = directory.appendingPathComponent("\(ir.fileBaseName).bpf.c")
        let object = directory.appendingPathComponent("\(ir.fileBaseName).bpf.o")
        try result.source.write(to: source, atomically: true, encoding: .utf8)
        try Data(result.object.bytes).write(to: object)
        var programs = result.object.programs
        let verification: String
        switch result.verification {
        case nil:
            verification = "not attempted (--no-verify)"
        case .noPrivilege:
            verification = "skipped: no privilege to load BPF programs (run as root for verified counts)"
        case .loaded(let counts):
            verification = "loaded: every program passed this kernel's verifier"
            for index in programs.indices { programs[index].verifiedInstructions = counts[programs[index].program] }
        case .rejected(_, let reason):
            // The planner only returns objects that loaded; a rejection here is a planner bug.
            throw CodegenError.rejected(reason)
        }
        let report = CodegenReport(
            spec: ir.name, specFile: specFile, clang: try driver.version(), plan: result.plan,
            planningCompiles: result.attempts, verification: verification, programs: programs
        )
        try report.encoded().write(to: directory.appendingPathComponent("\(ir.fileBaseName).report.json"))
        return Output(source: source, object: object, report: report)
    }
}

extension SpecIR {
    /// The spec's name as the base of its output files (`mesh` → `mesh.bpf.c`).
    public var fileBaseName: String {
        String(name.map { $0 == "/" || $0 == " " ? "_" : $0 })
    }
}
