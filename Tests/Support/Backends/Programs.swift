import Foundation
import XCTest

/// Where the backends' binaries are; a test skips (with the reason) only when one is not installed.
public enum Programs {
    public static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static func require(_ name: String, install: String) throws -> String {
        guard let path = find(name) else { throw XCTSkip("\(name) is not installed (\(install)); .ci/setup installs it") }
        return path
    }

    /// rotel's binary: `ROTEL_AGENT`, `rotel` on PATH, or the agent inside the `rotel` Python package.
    public static func rotel() throws -> String {
        if let path = ProcessInfo.processInfo.environment["ROTEL_AGENT"] { return path }
        if let path = find("rotel") { return path }
        guard let python = find("python3") else { throw XCTSkip("python3 is not installed, so neither is rotel (pip install rotel)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import os, rotel; print(os.path.join(os.path.dirname(rotel.__file__), 'rotel-agent'))"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let path = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("rotel is not installed (pip install rotel); .ci/setup installs it")
        }
        return path
    }

    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
