import Spec

public enum CodegenError: Error, CustomStringConvertible, Equatable {
    case parserTooLarge
    case fieldTooWide(String)
    /// The IR names what it does not define; the inconsistency carries the spec line.
    case inconsistentIR(SpecDiagnostic)
    case templatesMissing(searched: [String])
    case clangUnavailable(clang: String, cause: String)
    case clangFailed(String)
    case overBudget(program: String, instructions: Int, budget: Int)
    case windowTooLarge(window: Int, profile: LoopProfile, chunkBytes: Int, maxChunks: Int)
    case loopInUnrolledProfile(program: String)
    /// The compiled object holds a program that is none of the generated ones.
    case unexpectedProgram(String)
    case rejected(String)

    public var description: String {
        switch self {
        case .parserTooLarge:
            "error: the parser unrolls to more than \(ParserUnrolling.maxNodes) states; lower the maxVisits bounds"
        case .fieldTooWide(let field):
            "error: field '\(field)' spans more than 8 bytes and is not byte-aligned"
        case .inconsistentIR(let inconsistency):
            inconsistency.description
        case .templatesMissing(let searched):
            "error: the C templates are missing; looked in \(searched.joined(separator: ", ")) (set MESHTRACE_TEMPLATES to their directory)"
        case .clangUnavailable(let clang, let cause):
            "error: cannot run '\(clang)': \(cause) (install clang with the BPF target, or set MESHTRACE_CLANG)"
        case .clangFailed(let output):
            "\(output)\nerror: clang failed on the generated C"
        case .overBudget(let program, let instructions, let budget):
            "error: program '\(program)' has \(instructions) instructions, over the budget of \(budget)"
        case .rejected(let reason):
            "error: \(reason)"
        case .loopInUnrolledProfile(let program):
            "error: program '\(program)' has a loop, which the unrolled profile (kernels before 5.3) cannot load"
        case .windowTooLarge(let window, let profile, let chunk, let maxChunks):
            "error: a \(window)-byte window needs more than \(maxChunks) chunks of \(chunk) bytes in the \(profile.rawValue) profile (the tail-call limit is 33)"
        case .unexpectedProgram(let name):
            "error: the compiled object has a program '\(name)' that meshtrace does not generate"
        }
    }
}
