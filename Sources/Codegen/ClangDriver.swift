import Foundation
import Spec
import Subprocess

/// Compiles generated C for the BPF target with reproducible flags (bpf2go's): no ident, the
/// compilation directory recorded as ".", the source named relatively, so that generating
/// twice anywhere gives identical bytes.
public struct ClangDriver: Sendable {
    public var clang: String
    /// `-D` definitions on top of the generated C's own (meshtrace-bench `--paged`: `MT_READ_IN_PLACE=0`);
    /// none for what `meshtrace-gen` writes, whose object is its C's alone.
    public var defines: [String]

    public init(clang: String = ProcessInfo.processInfo.environment["MESHTRACE_CLANG"] ?? "clang", defines: [String] = []) {
        self.clang = clang
        self.defines = defines
    }

    /// The multiarch directory that holds `asm/types.h` on Debian-like systems.
    static var multiarchInclude: String {
        #if arch(arm64)
        "/usr/include/aarch64-linux-gnu"
        #else
        "/usr/include/x86_64-linux-gnu"
        #endif
    }

    public static func flags(for profile: LoopProfile) -> [String] {
        // v2 predates 32-bit jumps (Linux 5.1); loops and bpf_loop need newer kernels anyway.
        let cpu = profile == .unrolled ? "v2" : "v3"
        return ["-O2", "-g", "-target", "bpf", "-mcpu=\(cpu)", "-fno-ident", "-fdebug-compilation-dir=.",
                "-Wall", "-Wno-unused-function", "-Wno-unused-label", "-I", multiarchInclude]
    }

    /// The first line of `clang --version`.
    public func version() throws -> String {
        let result = try run([clang, "--version"])
        guard result.status == 0 else { throw CodegenError.clangUnavailable(clang: clang, cause: "--version exited with \(result.status): \(result.stderr)") }
        return result.stdout.split(separator: "\n").first.map(String.init) ?? "clang"
    }

    /// Checks what compiling needs before the first attempt, so a missing piece gets a clear error.
    public func checkPrerequisites() throws {
        let targets = try run([clang, "-print-targets"])
        guard targets.stdout.contains("bpf") else {
            throw CodegenError.clangFailed("\(clang) has no BPF target (clang -print-targets lists none)")
        }
        guard FileManager.default.fileExists(atPath: "/usr/include/bpf/bpf_helpers.h") else {
            throw CodegenError.clangFailed("the libbpf headers are missing (/usr/include/bpf/bpf_helpers.h): apt-get install libbpf-dev")
        }
    }

    /// Compiles `source` (in its own directory, named relatively) to `output`.
    public func compile(source: URL, output: URL, profile: LoopProfile) throws {
        let directory = source.deletingLastPathComponent()
        let result = try run([clang] + Self.flags(for: profile) + defines.map { "-D\($0)" } + ["-c", source.lastPathComponent, "-o", output.path],
                             directory: directory)
        guard result.status == 0 else {
            throw CodegenError.clangFailed((result.stderr + result.stdout).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Runs clang; a clang that cannot be started is reported with the system's reason.
    private func run(_ arguments: [String], directory: URL? = nil) throws -> CommandResult {
        do {
            return try Command.run(arguments, directory: directory)
        } catch {
            throw CodegenError.clangUnavailable(clang: clang, cause: "\(error)")
        }
    }
}
