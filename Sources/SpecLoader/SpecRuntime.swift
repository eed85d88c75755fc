import Foundation

/// Where the Spec library a spec file is compiled against lives: `libSpec.so` and
/// `Modules/Spec.swiftmodule` beside the running tool, as SwiftPM finds PackageDescription.
public struct SpecRuntime: Sendable {
    public var libraryDirectory: URL
    public var moduleDirectory: URL
    public var swiftc: String

    /// The runtime next to this executable, or in `MESHTRACE_SPEC_LIB_DIR` when set.
    public static func beside(executable: URL = URL(fileURLWithPath: CommandLine.arguments[0])) throws -> SpecRuntime {
        let environment = ProcessInfo.processInfo.environment
        let directory: URL
        if let override = environment["MESHTRACE_SPEC_LIB_DIR"] {
            directory = URL(fileURLWithPath: override)
        } else {
            let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map(URL.init(fileURLWithPath:))
            directory = (resolved ?? executable.resolvingSymlinksInPath()).deletingLastPathComponent()
        }
        let runtime = SpecRuntime(
            libraryDirectory: directory,
            moduleDirectory: directory.appendingPathComponent("Modules"),
            swiftc: environment["MESHTRACE_SWIFTC"] ?? "swiftc"
        )
        for required in [runtime.library, runtime.moduleDirectory.appendingPathComponent("Spec.swiftmodule")] {
            guard FileManager.default.fileExists(atPath: required.path) else {
                throw SpecLoadError.runtimeMissing(required.path)
            }
        }
        return runtime
    }

    public var library: URL { libraryDirectory.appendingPathComponent("libSpec.so") }

    /// What a compiled spec depends on besides its own text: the library's bytes.
    func fingerprint() throws -> Data {
        try Data(contentsOf: library)
    }
}
