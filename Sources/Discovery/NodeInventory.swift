import Foundation

/// A vport: a veth of the node whose peer lives in another network namespace (a pod's), and
/// what is known of that namespace.
public struct Vport: Hashable, Sendable, Codable, CustomStringConvertible {
    public var interface: DiscoveredInterface
    /// The peer's ifindex inside its own namespace (`link_index`).
    public var peerIndex: Int32
    /// Nil when no process lives in the peer's namespace and no name is bound to it.
    public var namespace: PodNamespace?

    public var description: String {
        guard let namespace else { return "\(interface) -> peer ifindex \(peerIndex) in an unknown namespace" }
        return "\(interface) -> \(namespace)"
    }
}

/// The namespace at the far end of a vport.
public struct PodNamespace: Hashable, Sendable, Codable, CustomStringConvertible {
    public var inode: UInt64
    /// Its names under the netns directories (empty for a container runtime that keeps none).
    public var names: [String]
    public var pids: [Int32]
    /// The peer interface, e.g. `eth0`.
    public var peerInterface: String
    /// The peer interface's addresses (the pod IPs), link-local ones left out.
    public var addresses: [InterfaceAddress]

    public var description: String {
        let name = names.first.map { "netns \($0)" } ?? "netns inode \(inode)"
        let ips = addresses.map(\.description).joined(separator: ", ")
        return "\(name) \(peerInterface) [\(ips)] pids \(pids.map(String.init).joined(separator: ","))"
    }
}

/// What one scan found: the NIC and every vport.
public struct NodeInventory: Hashable, Sendable, Codable {
    public var nic: NodeNIC
    /// Sorted by ifindex.
    public var vports: [Vport]
    /// What the scan could not resolve (a vport whose peer namespace was not found), for the user.
    public var problems: [String]

    /// The vport whose namespace holds `address` (a pod IP), if any.
    public func vport(holding address: String) -> Vport? {
        vports.first { $0.namespace?.addresses.contains { $0.address == address } ?? false }
    }

    /// What changed since `earlier`: vports to attach, to release, and those whose namespace
    /// or addresses changed (same interface).
    public func diff(from earlier: NodeInventory) -> InventoryDiff {
        // ifindex numbers are reused after a veth is deleted, so the name is part of the identity.
        func key(_ v: Vport) -> String { "\(v.interface.index)/\(v.interface.name)" }
        let before = Dictionary(earlier.vports.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let now = Dictionary(vports.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        return InventoryDiff(
            appeared: vports.filter { before[key($0)] == nil },
            vanished: earlier.vports.filter { now[key($0)] == nil },
            changed: vports.filter { v in before[key(v)].map { $0 != v } ?? false },
            nicChanged: nic.interface != earlier.nic.interface ? nic : nil
        )
    }
}

public struct InventoryDiff: Hashable, Sendable {
    public var appeared: [Vport]
    public var vanished: [Vport]
    public var changed: [Vport]
    /// The new NIC, when it is another interface than before.
    public var nicChanged: NodeNIC?

    public var isEmpty: Bool { appeared.isEmpty && vanished.isEmpty && changed.isEmpty && nicChanged == nil }
}
