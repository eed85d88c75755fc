import Foundation
import Subprocess

/// The network namespace whose NIC and vports are scanned: the agent's own (in production it runs
/// with hostNetwork), or a named one. Naming it lets a scan look at a namespace without entering
/// it: `setns` changes only the calling thread, and a Swift process has many.
public enum NodeNamespace: Sendable, Hashable {
    case current
    case named(String)

    /// `ip` with this namespace selected (`ip -n NAME …`).
    func ip(_ arguments: [String]) throws -> String {
        let prefix: [String] = switch self {
        case .current: ["ip"]
        case .named(let name): ["ip", "-n", name]
        }
        return try Command.run(prefix + arguments).check().stdout
    }

    /// The namespace's inode, which is how /proc/PID/ns/net and /run/netns entries are compared.
    func inode(procRoot: String, netnsDirectory: String) throws -> UInt64 {
        switch self {
        case .current:
            let path = procRoot + "/self/ns/net"
            guard let inode = NamespaceTable.inode(ofLink: path) else {
                throw DiscoveryError.namespace(path: path, reason: "cannot read the link (is \(procRoot) a procfs?)")
            }
            return inode
        case .named(let name):
            let path = netnsDirectory + "/" + name
            guard let inode = NamespaceTable.inode(ofFile: path) else {
                throw DiscoveryError.namespace(path: path, reason: "does not exist")
            }
            return inode
        }
    }
}
