import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A program started as the leader of a process group of its own, its output going to a log file,
/// so that `stop()` ends it and anything it started, whatever state a failed test left it in.
final class ProcessGroup {
    let arguments: [String]
    let pid: pid_t
    let log: URL
    private var exitStatus: Int32?

    init(_ arguments: [String], log: URL) throws {
        let path = try ProgramLookup.path(arguments[0])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments.dropFirst()).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw SidecarError("cannot start \(arguments.joined(separator: " ")): \(String(cString: strerror(status)))")
        }
        self.arguments = arguments
        self.pid = pid
        self.log = log
    }

    /// Still running; reaps it once it has exited.
    var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return true }
        exitStatus = status
        return false
    }

    /// What it has printed so far.
    func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM to the whole group, SIGKILL after `grace` seconds; returns once the leader is reaped.
    func stop(grace: TimeInterval = 5) {
        guard isRunning else {
            kill(-pid, SIGKILL) // children the leader left behind, if any
            return
        }
        kill(-pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(10_000) }
        kill(-pid, SIGKILL)
        while isRunning { usleep(10_000) }
    }
}

struct SidecarError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
