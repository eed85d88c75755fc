import Foundation
import Subprocess

/// Finds the NIC and the vports of a node namespace. Meant to be called every second: one `ip`
/// run lists the links, /proc and /run/netns are read in-process, and a pod namespace is entered
/// (`nsenter … ip -j addr`) only when it is new, when its addresses are due for a refresh, or when
/// a vport's peer has not been found in the namespaces already read.
public final class NodeScanner {
    public struct Options: Sendable {
        /// The host's /proc; a DaemonSet that mounts it elsewhere (read-only /host/proc) passes that.
        public var procRoot = "/proc"
        /// Where named namespaces are bind-mounted (`ip netns`, containerd's CNI setup use /run/netns).
        public var netnsDirectories = ["/run/netns"]
        /// How long a namespace's addresses are trusted before they are read again.
        public var refreshInterval: TimeInterval = 10

        public init() {}
    }

    private struct Contents {
        var links: [IPLink]
        var readAt: Date
    }

    public let node: NodeNamespace
    public let options: Options
    private var contents: [UInt64: Contents] = [:]
    private var unresolvedSeen: Set<String> = []
    private var lastFullRetry = Date.distantPast

    public init(node: NodeNamespace = .current, options: Options = Options()) {
        self.node = node
        self.options = options
    }

    public func scan() throws -> NodeInventory {
        let links = try IPLink.decodeList(try node.ip(["-j", "-d", "link", "show"]), source: "ip -j -d link show")
        let nic = try NICFinder.find(links: links) {
            try NICFinder.defaultRouteDevice(try node.ip(["-j", "-4", "route", "show", "default"]))
        }
        let own = try node.inode(procRoot: options.procRoot, netnsDirectory: options.netnsDirectories.first ?? "/run/netns")
        let table = NamespaceTable.read(procRoot: options.procRoot, netnsDirectories: options.netnsDirectories)
        let candidates = table.entries.values.filter { $0.inode != own }.sorted { $0.inode < $1.inode }
        contents = contents.filter { table.entries[$0.key] != nil }
        let veths = links.filter { $0.kind == "veth" && $0.linkNetnsid != nil && $0.linkIndex != nil && $0.ifname != nic.interface.name }

        var problems: [String] = []
        let now = Date()
        var readNow: Set<UInt64> = []
        for entry in candidates where contents[entry.inode].map({ now.timeIntervalSince($0.readAt) >= options.refreshInterval }) ?? true {
            if read(entry, at: now, problems: &problems) { readNow.insert(entry.inode) }
        }
        let nsids = try NamespaceIDs.read(node)
        var matches = veths.map { match($0, in: candidates, nsids: nsids) }
        let unresolved = zip(veths, matches).filter { $1.isEmpty }.map { key($0.0) }
        // A veth moved into a namespace read before the move: read the others again, at once for a
        // new vport, then no more often than the refresh interval.
        if !unresolved.isEmpty, !Set(unresolved).isSubset(of: unresolvedSeen) || now.timeIntervalSince(lastFullRetry) >= options.refreshInterval {
            lastFullRetry = now
            for entry in candidates where !readNow.contains(entry.inode) { _ = read(entry, at: now, problems: &problems) }
            matches = veths.map { match($0, in: candidates, nsids: nsids) }
        }
        unresolvedSeen = Set(zip(veths, matches).filter { $1.isEmpty }.map { key($0.0) })

        var vports: [Vport] = []
        for (veth, found) in zip(veths, matches) {
            var vport = Vport(interface: DiscoveredInterface(veth), peerIndex: veth.linkIndex!, namespace: nil)
            if found.count == 1, let (entry, peer) = found.first {
                vport.namespace = PodNamespace(
                    inode: entry.inode, names: entry.names, pids: entry.pids, peerInterface: peer.ifname,
                    addresses: peer.addresses.filter { !$0.isLinkLocal }
                )
                // A pod whose IP is not assigned yet is read again on the next scan.
                if vport.namespace!.addresses.isEmpty { contents[entry.inode]?.readAt = .distantPast }
            } else if found.isEmpty {
                problems.append("\(veth.ifname): peer ifindex \(veth.linkIndex!) not found in any namespace under \(options.procRoot)/*/ns/net or \(options.netnsDirectories.joined(separator: ", "))")
            } else {
                problems.append("\(veth.ifname): peer ifindex \(veth.linkIndex!) matches namespaces \(found.map { String($0.0.inode) }.joined(separator: ", ")); left unmapped")
            }
            vports.append(vport)
        }
        return NodeInventory(nic: nic, vports: vports.sorted { $0.interface.index < $1.interface.index }, problems: problems)
    }

    private func key(_ link: IPLink) -> String { "\(link.ifindex)/\(link.ifname)" }

    /// The peer of `veth`: an interface whose ifindex is the veth's link_index and whose own
    /// link_index is the veth's ifindex, in the namespace the veth's link_netnsid names. ifindex
    /// numbers repeat across namespaces (every pod's eth0 is 2 or 3), so the nsid decides: when
    /// `ip netns list-id` names it, only that namespace is looked in; when it names none, the
    /// namespace has no /run/netns name, and only such namespaces are looked in.
    private func match(_ veth: IPLink, in candidates: [NamespaceTable.Entry], nsids: NamespaceIDs) -> [(NamespaceTable.Entry, IPLink)] {
        let name = veth.linkNetnsid.flatMap { nsids.names[$0] }
        return candidates.filter { entry in
            if let name { return entry.ipNetnsNames.contains(name) }
            return entry.ipNetnsNames.isEmpty
        }.compactMap { entry in
            contents[entry.inode]?.links.first {
                $0.ifindex == veth.linkIndex && $0.linkIndex == veth.ifindex && $0.linkNetnsid != nil
            }.map { (entry, $0) }
        }
    }

    /// Reads a namespace's interfaces and addresses; false (and a problem, unless it vanished
    /// meanwhile, as pods do) when it cannot be entered.
    private func read(_ entry: NamespaceTable.Entry, at now: Date, problems: inout [String]) -> Bool {
        do {
            let result = try Command.run(["nsenter", "--net=\(entry.path)", "ip", "-j", "addr", "show"])
            guard result.succeeded else {
                if FileManager.default.fileExists(atPath: entry.path) {
                    problems.append("cannot enter \(entry.path): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
                contents[entry.inode] = nil
                return false
            }
            contents[entry.inode] = Contents(links: try IPLink.decodeList(result.stdout, source: "ip -j addr in \(entry.path)"), readAt: now)
            return true
        } catch {
            problems.append("cannot read \(entry.path): \(error)")
            contents[entry.inode] = nil
            return false
        }
    }
}
