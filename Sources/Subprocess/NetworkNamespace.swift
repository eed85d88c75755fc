import CNetNamespace
import Foundation

/// A named network namespace (`ip netns`): made, listed and deleted by the testbed, entered by
/// the runner (`--netns`), and programs run inside it.
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

    public var path: String { "/run/netns/\(name)" }

    /// Moves this process into the namespace. Call it before anything touches the network, on the
    /// main thread: setns changes only the calling thread, and the main thread is the one that
    /// talks netlink (attaching, interface lists).
    public func enter() throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NamespaceError(name: name, reason: "it does not exist (\(path))") }
        defer { close(fd) }
        guard meshtrace_enter_net_namespace(fd) == 0 else {
            throw NamespaceError(name: name, reason: "cannot enter it: \(String(cString: strerror(errno)))")
        }
    }

    public func create() throws {
        try Command.run(["ip", "netns", "add", name]).check()
    }

    public func delete() throws {
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
    public func ip(_ arguments: [String]) throws -> CommandResult {
        try Command.run(["ip", "-n", name] + arguments).check()
    }

    public func execArguments(_ program: String, _ arguments: [String]) throws -> [String] {
        ["ip", "netns", "exec", name, try ProgramLookup.path(program)] + arguments
    }
}

public struct NamespaceError: Error, CustomStringConvertible, Equatable {
    public var name: String
    public var reason: String
    public var description: String { "error: network namespace '\(name)': \(reason)" }
}
