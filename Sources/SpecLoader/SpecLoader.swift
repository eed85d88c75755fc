import Foundation
import Spec
import Subprocess

/// Evaluates a spec file the way SwiftPM evaluates `Package.swift`: compile it with swiftc
/// against the Spec library, run it, and read back the IR it writes to a path of our choosing
/// (its own prints go to standard error, never into the IR). Compiled specs are cached by
/// the content hash of the spec and of the library, so an unchanged spec is not compiled again.
public struct SpecLoader: Sendable {
    public var runtime: SpecRuntime
    public var cacheDirectory: URL

    public init(runtime: SpecRuntime, cacheDirectory: URL = SpecLoader.defaultCacheDirectory) {
        self.runtime = runtime
        self.cacheDirectory = cacheDirectory
    }

    public static var defaultCacheDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["MESHTRACE_CACHE_DIR"] { return URL(fileURLWithPath: dir) }
        let base = environment["XDG_CACHE_HOME"].map(URL.init(fileURLWithPath:))
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("meshtrace")
    }

    /// The result of loading: the validated IR, and whether the compiled spec came from the cache.
    public struct Loaded: Sendable {
        public var ir: SpecIR
        public var cached: Bool
    }

    /// Loads and validates the spec at `path`.
    public func load(_ path: String) throws -> Loaded {
        let source: Data
        do {
            source = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SpecLoadError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let (executable, cached) = try compiled(path: path, source: source)
        let ir = try evaluate(executable, path: path)
        let diagnostics = SpecValidator.validate(ir)
        guard diagnostics.isEmpty else {
            throw SpecLoadError.invalid(path: path, diagnostics: diagnostics)
        }
        return Loaded(ir: ir, cached: cached)
    }

    /// The spec's executable, compiled now or found in the cache.
    func compiled(path: String, source: Data) throws -> (URL, Bool) {
        var hash = ContentHash()
        hash.add(Data("schema \(SpecIR.currentSchemaVersion) swiftc \(runtime.swiftc)\n".utf8))
        hash.add(source)
        hash.add(try runtime.fingerprint())
        let executable = cacheDirectory.appendingPathComponent("spec-\(hash.hex)")
        if FileManager.default.isExecutableFile(atPath: executable.path) {
            return (executable, true)
        }
        try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        let partial = cacheDirectory.appendingPathComponent("spec-\(hash.hex).\(getpid()).partial")
        let lib = runtime.libraryDirectory.path
        let result: CommandResult
        do {
            result = try Command.run([
                runtime.swiftc, "-module-name", "MeshtraceSpec", "-I", runtime.moduleDirectory.path, "-L", lib, "-lSpec",
                "-Xlinker", "-rpath", "-Xlinker", lib, "-o", partial.path, path,
            ])
        } catch {
            throw SpecLoadError.swiftcUnavailable(swiftc: runtime.swiftc, cause: "\(error)")
        }
        guard result.status == 0 else {
            try? FileManager.default.removeItem(at: partial)
            throw SpecLoadError.compileFailed(path: path, diagnostics: result.stderr + result.stdout)
        }
        _ = try? FileManager.default.removeItem(at: executable)
        try FileManager.default.moveItem(at: partial, to: executable)
        return (executable, false)
    }

    /// Runs the compiled spec and decodes the IR it writes.
    func evaluate(_ executable: URL, path: String) throws -> SpecIR {
        let irFile = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrace-ir-\(getpid())-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: irFile) }
        let result = try Command.run([executable.path, SpecEncoding.irPathFlag, irFile.path])
        // The spec's own output is the user's: pass it on, away from standard output.
        let output = (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0 else {
            throw SpecLoadError.specCrashed(path: path, status: result.status, output: output)
        }
        if !output.isEmpty {
            FileHandle.standardError.write(Data((output + "\n").utf8))
        }
        // A spec that exits normally without writing its IR never created a MeshSpec
        // (creating one registers the hook that writes it).
        guard let data = try? Data(contentsOf: irFile), !data.isEmpty else {
            throw SpecLoadError.invalid(path: path, diagnostics: [SpecDiagnostic(line: 1, "the spec created no MeshSpec; a spec file must create exactly one")])
        }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let message = object["error"] as? String {
            throw SpecLoadError.invalid(path: path, diagnostics: [SpecDiagnostic(line: object["line"] as? Int ?? 1, message)])
        }
        do {
            return try SpecEncoding.decode(data)
        } catch {
            throw SpecLoadError.malformedIR(path: path, reason: "cannot decode the spec's IR: \(error)")
        }
    }
}
