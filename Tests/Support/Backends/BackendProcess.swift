import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#endif

/// A real backend (rotel, prometheus, influxd, envoy) run by a test: in a session and process group
/// of its own, under `timeout` so that even a test process that dies cannot leave it running for
/// more than `lifetime`; `stop` kills the whole group and reaps it. Its output goes to
/// `directory/name.log`.
public final class BackendProcess: @unchecked Sendable {
    public let name: String
    public let log: URL
    private(set) var pid: pid_t = 0
    private var reaped = false

    /// `executable` is a path, or a name looked up on PATH (`ProgramLookup`: the system's python3 first).
    public init(name: String, executable: String, arguments: [String], directory: URL, lifetime: Int = 600) throws {
        self.name = name
        log = directory.appendingPathComponent("\(name).log")
        let argv = ["/usr/bin/timeout", "-k", "5", "\(lifetime)", try ProgramLookup.path(executable)] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID: its own session, so its pid is the group to kill.
        posix_spawnattr_setflags(&attributes, Int16(0x80))
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let status = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, environ)
        guard status == 0 else {
            throw BackendFailure("cannot start \(name) (\(argv.joined(separator: " "))): \(String(cString: strerror(status)))")
        }
    }

    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// True while the process has not exited (reaps it when it has).
    public var isRunning: Bool {
        guard !reaped else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { reaped = true }
        return !reaped
    }

    /// Freezes the group (SIGSTOP): the kernel still accepts connections, nobody answers them.
    public func pause() { kill(-pid, SIGSTOP) }

    public func resume() { kill(-pid, SIGCONT) }

    /// SIGTERM to the group, SIGKILL after `grace`; returns once the process is reaped.
    public func stop(grace: TimeInterval = 5) {
        guard !reaped else { return }
        kill(-pid, SIGTERM)
        // A paused group gets its SIGTERM only once continued.
        kill(-pid, SIGCONT)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        // The group may hold children even after the leader exited.
        kill(-pid, SIGKILL)
        if !reaped {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            reaped = true
        }
    }

    deinit { stop(grace: 1) }
}

public struct BackendFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
