import Codegen
import Foundation
import Runner
import Spec
import SpecLoader
import XCTest

/// Generated objects for the example specs, built once per configuration per test process
/// and loaded into the kernel. Tests that need them skip, with the reason, when not root.
public enum Generated {
    /// The package root, from this file's path (Tests/Support/Generated.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrace-codegen-tests-\(getpid())")
    /// The third-party captures (see their MANIFEST): `MESHTRACE_CAPTURES` when set, else
    /// ../shared/captures beside the checkout.
    public static let captures = ProcessInfo.processInfo.environment["MESHTRACE_CAPTURES"].map { URL(fileURLWithPath: $0) }
        ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/captures")

    /// A capture's path; the test is skipped, saying where it looked, when the capture is not there.
    public static func capture(_ name: String) throws -> URL {
        let url = captures.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("capture \(name) is not at \(url.path) (the captures are ../shared/captures beside the checkout, or set MESHTRACE_CAPTURES)")
        }
        return url
    }

    public struct Configuration: Hashable {
        public var spec: String
        public var window: Int? = nil
        public var placement: Placement? = nil
        public var profile: LoopProfile? = nil

        public init(spec: String, window: Int? = nil, placement: Placement? = nil, profile: LoopProfile? = nil) {
            self.spec = spec
            self.window = window
            self.placement = placement
            self.profile = profile
        }
    }

    public nonisolated(unsafe) static var irs: [String: SpecIR] = [:]
    public nonisolated(unsafe) static var objects: [Configuration: Generator.Output] = [:]

    public static func requireRoot() throws {
        guard getuid() == 0 else {
            throw XCTSkip("needs root to load BPF programs and run them with BPF_PROG_TEST_RUN (CI runs as root)")
        }
    }

    /// The IR of `specs/<spec>.swift`, or of the spec file at `spec` when it is a path.
    public static func ir(_ spec: String) throws -> SpecIR {
        if let ir = irs[spec] { return ir }
        let runtime = try SpecRuntime.beside()
        let loader = SpecLoader(runtime: runtime, cacheDirectory: workDirectory.appendingPathComponent("spec-cache"))
        let path = spec.hasPrefix("/") ? spec : packageRoot.appendingPathComponent("specs/\(spec).swift").path
        let ir = try loader.load(path).ir
        irs[spec] = ir
        return ir
    }

    /// Makes `ir` the spec `name` stands for in configurations: a variant of an example spec that
    /// a test derives instead of keeping a copy of its file.
    public static func register(_ ir: SpecIR, as name: String) {
        irs[name] = ir
    }

    public static func output(_ configuration: Configuration) throws -> Generator.Output {
        if let output = objects[configuration] { return output }
        let overrides = Overrides(window: configuration.window, placement: configuration.placement, profile: configuration.profile)
        let name = [URL(fileURLWithPath: configuration.spec).lastPathComponent, configuration.window.map(String.init), configuration.placement?.rawValue, configuration.profile?.rawValue]
            .compactMap { $0 }.joined(separator: "-")
        let specFile = URL(fileURLWithPath: configuration.spec).deletingPathExtension().lastPathComponent + ".swift"
        let output = try Generator(templates: try Templates()).generate(
            ir: try overrides.applied(to: try ir(configuration.spec)), specFile: specFile, verify: true, into: workDirectory.appendingPathComponent(name)
        )
        objects[configuration] = output
        return output
    }

    /// A runner for the configuration's object, loaded afresh (each test gets clean maps).
    public static func runner(_ configuration: Configuration, point: String? = nil) throws -> FrameRunner {
        try requireRoot()
        let object = try LoadedObject(path: try output(configuration).object.path)
        return try FrameRunner(object: object, point: point)
    }
}
