import CLibBPF
import Foundation

/// `ip netns` namespaces: entered before anything touches the network, on the main thread,
/// which is the one that talks netlink.
public enum NetworkNamespace {
    public static func enter(_ name: String) throws {
        let path = "/run/netns/\(name)"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RunnerError.interface("network namespace '\(name)' does not exist (\(path))") }
        defer { close(fd) }
        guard meshtrace_enter_net_namespace(fd) == 0 else {
            throw RunnerError.privilege("cannot enter network namespace '\(name)': \(String(cString: strerror(errno)))")
        }
    }
}
