import Foundation
import Subprocess

/// A named network namespace (`ip netns`), and running programs inside it.
public struct NetworkNamespace: Sendable, Hashable {
    public var name: String

    public init(_ name: String) { self.name = name }

    /// The names `ip netns list` shows.
    public static func all() throws -> [String] {
        let listed = try Command.run(["ip", "netns", "list"]).check().stdout
        // Lines read "name" or "name (id: 3)".
        return listed.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    public var exists: Bool { (try? NetworkNamespace.all().contains(name)) ?? false }

    func create() throws {
        try Command.run(["ip", "netns", "add", name]).check()
    }

    func delete() throws {
        try Command.run(["ip", "netns", "delete", name]).check()
    }

    /// Processes whose network namespace this is.
    public func pids() -> [Int32] {
        guard let result = try? Command.run(["ip", "netns", "pids", name]), result.succeeded else { return [] }
        return result.stdout.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
    }

    /// `ip netns exec NAME program arguments...`, to completion.
    public func run(_ program: String, _ arguments: [String], input: Data? = nil) throws -> CommandResult {
        try Command.run(execArguments(program, arguments), input: input)
    }

    /// `ip -n NAME arguments...` (an `ip` command in this namespace), failing on a non-zero exit.
    @discardableResult
    func ip(_ arguments: [String]) throws -> CommandResult {
        try Command.run(["ip", "-n", name] + arguments).check()
    }

    func execArguments(_ program: String, _ arguments: [String]) throws -> [String] {
        ["ip", "netns", "exec", name, try ProgramLookup.path(program)] + arguments
    }
}
