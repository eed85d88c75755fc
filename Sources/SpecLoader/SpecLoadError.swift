import Spec

/// Why a spec could not be loaded. Every case reads as a compiler diagnostic: no stack traces.
public enum SpecLoadError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case runtimeMissing(String)
    /// swiftc could not be started; the cause as the system gave it.
    case swiftcUnavailable(swiftc: String, cause: String)
    /// swiftc's own diagnostics, which already name the spec's path and lines.
    case compileFailed(path: String, diagnostics: String)
    case specCrashed(path: String, status: Int32, output: String)
    case malformedIR(path: String, reason: String)
    case invalid(path: String, diagnostics: [SpecDiagnostic])

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "error: cannot read spec '\(path)': \(reason)"
        case .runtimeMissing(let path):
            "error: the Spec library is missing at \(path); build it with `swift build` (it is the `Spec` product)"
        case .swiftcUnavailable(let swiftc, let cause):
            "error: cannot run the Swift compiler '\(swiftc)': \(cause) (put swiftc on PATH or set MESHTRACE_SWIFTC)"
        case .compileFailed(let path, let diagnostics):
            "\(diagnostics.trimmingCharacters(in: .whitespacesAndNewlines))\nerror: spec '\(path)' does not compile"
        case .specCrashed(let path, let status, let output):
            "\(output.isEmpty ? "" : output + "\n")error: spec '\(path)' stopped with status \(status) before writing its IR"
        case .malformedIR(let path, let reason):
            "\(path): error: \(reason)"
        case .invalid(let path, let diagnostics):
            diagnostics.map { "\(path):\($0.line.map(String.init) ?? "1"): error: \($0.message)" }.joined(separator: "\n")
        }
    }
}
