import Foundation

extension TracingRun {
    /// Runs the meshtrace-gen beside this executable on `spec` with `flags`, into `directory`:
    /// the object it wrote and the report it printed.
    public static func generate(spec: String, flags: [String], into directory: URL) throws -> (object: String, report: String) {
        let generated = try Command.run([try executable("meshtrace-gen"), spec, "-o", directory.path] + flags)
        guard generated.status == 0 else {
            throw LabError.commandFailed(command: "meshtrace-gen \(([spec] + flags).joined(separator: " "))", status: generated.status,
                                         stderr: generated.stderr + generated.stdout)
        }
        guard let object = try FileManager.default.contentsOfDirectory(atPath: directory.path).first(where: { $0.hasSuffix(".bpf.o") }) else {
            throw LabError.unexpectedOutput("meshtrace-gen wrote no object in \(directory.path)")
        }
        return (directory.appendingPathComponent(object).path, generated.stdout)
    }
}
