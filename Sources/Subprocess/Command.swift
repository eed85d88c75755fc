import Foundation

/// A finished command: its argument vector, exit status and output.
public struct CommandResult: Sendable {
    public var arguments: [String]
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var succeeded: Bool { status == 0 }

    /// This result, or `CommandFailure` when the command did not exit 0.
    @discardableResult
    public func check() throws -> CommandResult {
        guard succeeded else {
            throw CommandFailure(command: arguments.joined(separator: " "), status: status, stderr: stderr)
        }
        return self
    }
}

public struct CommandFailure: Error, CustomStringConvertible, Equatable {
    public var command: String
    public var status: Int32
    public var stderr: String

    public var description: String {
        "'\(command)' exited with status \(status): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
    }
}

/// A program that could not be started at all (not found, not executable, not a program): the
/// cause, as the system gave it, for callers to pass on instead of guessing.
public struct CommandStartFailure: Error, CustomStringConvertible, Equatable {
    public var program: String
    public var reason: String
    public var description: String { "cannot start '\(program)': \(reason)" }
}

/// Runs a program with an argument vector (never through a shell) and captures its output.
public enum Command {
    /// Runs `arguments[0]` (looked up with `ProgramLookup` unless it is a path) to completion.
    public static func run(
        _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil, directory: URL? = nil
    ) throws -> CommandResult {
        precondition(!arguments.isEmpty)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ProgramLookup.path(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inPipe = input.map { _ in Pipe() }
        process.standardInput = inPipe ?? FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            let code = (error as NSError).userInfo[NSUnderlyingErrorKey].flatMap { ($0 as? NSError)?.code } ?? (error as NSError).code
            throw CommandStartFailure(program: arguments[0], reason: code > 0 ? String(cString: strerror(Int32(code))) : "\(error)")
        }
        // Feed stdin and drain stderr concurrently so a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        if let inPipe, let input {
            DispatchQueue.global().async(group: group) {
                try? inPipe.fileHandleForWriting.write(contentsOf: input)
                try? inPipe.fileHandleForWriting.close()
            }
        }
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        // waitUntilExit() spins a run loop in 50 ms slices; polling is ten times quicker for short commands.
        while process.isRunning { Thread.sleep(forTimeInterval: 0.001) }
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CommandResult(
            arguments: arguments,
            status: status,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self)
        )
    }
}
