import Foundation

/// The objects an evaluation attaches, generated once each with meshtrace-gen into the output
/// directory (meshtrace-gen caches the compiled spec; each window is its own object).
struct EvaluationObjects {
    let spec: String
    let directory: URL
    private var made: [String: String] = [:]

    init(spec: String, directory: URL) {
        self.spec = spec
        self.directory = directory
    }

    /// The `.bpf.o` for `flags` (`--placement P --window W`), generated on first use.
    mutating func object(_ flags: [String], log: (String) -> Void) throws -> String {
        let name = flags.filter { !$0.hasPrefix("--") }.joined(separator: "-")
        if let path = made[name] { return path }
        let output = directory.appendingPathComponent(name)
        let started = Date()
        let result = try Command.run([try TracingRun.executable("meshtrace-gen"), spec, "-o", output.path] + flags)
        guard result.succeeded else {
            throw LabError.commandFailed(command: "meshtrace-gen \(spec) \(flags.joined(separator: " "))", status: result.status, stderr: result.stderr + result.stdout)
        }
        guard let file = try FileManager.default.contentsOfDirectory(atPath: output.path).first(where: { $0.hasSuffix(".bpf.o") }) else {
            throw LabError.unexpectedOutput("meshtrace-gen wrote no .bpf.o into \(output.path)")
        }
        let path = output.appendingPathComponent(file).path
        made[name] = path
        log("generated \(name) in \(String(format: "%.0f", Date().timeIntervalSince(started))) s: \(result.stdout.split(separator: "\n").first ?? "")")
        return path
    }
}
