import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A program left running inside a network namespace (an HTTP server, a capture, a load run).
/// `ip netns exec` execs the program in place, so `pid` is the program's own.
public final class BackgroundProcess: @unchecked Sendable {
    public let namespace: String
    public let arguments: [String]
    public let pid: Int32
    /// Where its stdout and stderr go.
    public let log: URL
    private let process: Process

    init(namespace: NetworkNamespace, program: String, arguments: [String], log: URL, directory: URL? = nil) throws {
        let argv = try namespace.execArguments(program, arguments)
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw LabError.unexpectedOutput("cannot create \(log.path)")
        }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ProgramLookup.path(argv[0]))
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        if let directory { process.currentDirectoryURL = directory }
        try process.run()
        self.process = process
        self.namespace = namespace.name
        self.arguments = argv
        self.pid = process.processIdentifier
        self.log = log
    }

    public var isRunning: Bool { process.isRunning }

    /// What it has printed so far.
    public func output() -> String {
        (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }

    /// Waits until its output contains `text`, or fails once it exits or `timeout` passes.
    public func waitForOutput(containing text: String, timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !output().contains(text) {
            guard isRunning else {
                throw LabError.unexpectedOutput("\(arguments.joined(separator: " ")) exited: \(output())")
            }
            guard Date() < deadline else { throw LabError.timeout("'\(text)' from \(arguments.joined(separator: " "))") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Waits for it to exit on its own; false when `timeout` passes first.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return !process.isRunning
    }

    /// Sends `signal` (SIGTERM by default), then SIGKILL if it is still running after `grace` seconds.
    public func stop(signal: Int32 = SIGTERM, grace: TimeInterval = 3) {
        guard process.isRunning else { return }
        kill(pid, signal)
        if !wait(timeout: grace) {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Stops a process this object did not start (one a previous run left behind), by id.
    static func terminate(pid: Int32, grace: TimeInterval = 3) {
        guard isAlive(pid) else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isAlive(pid) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if isAlive(pid) { kill(pid, SIGKILL) }
        let killDeadline = Date().addingTimeInterval(grace)
        while isAlive(pid) && Date() < killDeadline { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// Running, and not a zombie waiting for its parent to reap it.
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }
}
