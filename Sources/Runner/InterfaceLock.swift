import Foundation

/// One runner per interface: an flock on /run/meshtrace/<netns>-<ifname>.lock, which the
/// kernel releases when the runner dies, so a stale filter can be told from a live runner's.
public final class InterfaceLock {
    static let directory = "/run/meshtrace"
    private let fd: Int32

    public init(interface: String) throws {
        try? FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
        var namespace = stat()
        let nsID = stat("/proc/self/ns/net", &namespace) == 0 ? String(namespace.st_ino) : "net"
        let path = "\(Self.directory)/\(nsID)-\(interface).lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunnerError.attach(interface: interface, reason: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            let pid = Int32(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            close(fd)
            throw RunnerError.busy(interface: interface, pid: pid)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    deinit {
        close(fd)
    }
}
