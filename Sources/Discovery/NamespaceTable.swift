import Foundation

/// Every network namespace a node can see, by inode: those processes live in (/proc/PID/ns/net)
/// and those bind-mounted under a name (/run/netns, where `ip netns` and CNI plugins put them).
/// Read in-process, without starting a program, so that it can run every second.
public struct NamespaceTable: Sendable {
    public struct Entry: Sendable, Hashable {
        public var inode: UInt64
        /// Names under the netns directories, e.g. `cni-1c2d…` or `mtdisc…`.
        public var names: [String]
        /// Processes whose network namespace this is, ascending.
        public var pids: [Int32]
        /// Its names under /run/netns, the directory `ip netns` (and so `ip netns list-id`) knows.
        public var ipNetnsNames: [String]
        /// A path that enters the namespace with `nsenter --net=PATH`.
        public var path: String
    }

    /// Where iproute2 keeps namespace names (compiled into `ip`).
    public static let ipNetnsDirectory = "/run/netns"

    public private(set) var entries: [UInt64: Entry] = [:]

    /// - Parameters:
    ///   - procRoot: the host's /proc (a DaemonSet with hostPID sees it at /proc, or mounts it elsewhere).
    ///   - netnsDirectories: where named namespaces are bind-mounted.
    public static func read(procRoot: String = "/proc", netnsDirectories: [String] = ["/run/netns"]) -> NamespaceTable {
        var table = NamespaceTable()
        // Bind-mounted namespaces live on nsfs; a name whose namespace is gone is a plain file
        // on tmpfs, whose inode must not be mistaken for a namespace.
        let nsfs = device(of: procRoot + "/self/ns/net")
        for directory in netnsDirectories {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                let path = directory + "/" + name
                guard let nsfs, device(of: path) == nsfs, let inode = inode(ofFile: path) else { continue }
                table.entries[inode, default: Entry(inode: inode, names: [], pids: [], ipNetnsNames: [], path: path)].names.append(name)
                if directory == NamespaceTable.ipNetnsDirectory { table.entries[inode]!.ipNetnsNames.append(name) }
            }
        }
        guard let dir = opendir(procRoot) else { return table }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            guard let pid = Int32(name), let inode = inode(ofLink: "\(procRoot)/\(name)/ns/net") else { continue }
            if table.entries[inode] == nil {
                table.entries[inode] = Entry(inode: inode, names: [], pids: [], ipNetnsNames: [], path: "\(procRoot)/\(name)/ns/net")
            }
            table.entries[inode]!.pids.append(pid)
        }
        for key in table.entries.keys {
            table.entries[key]!.pids.sort()
            table.entries[key]!.names.sort()
        }
        return table
    }

    /// The inode in a namespace link's target, `net:[4026532281]`.
    static func inode(ofLink path: String) -> UInt64? {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard target.hasPrefix("net:["), target.hasSuffix("]") else { return nil }
        return UInt64(target.dropFirst(5).dropLast())
    }

    static func device(of path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_dev)
    }

    /// The inode of a bind-mounted namespace file (stat follows the mount to the nsfs inode).
    static func inode(ofFile path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }
}
