import Foundation

/// The node's NIC: the device the overlay's underlay traffic leaves by. That is the lower device
/// of the tunnel devices (VXLAN, Geneve, IPIP, GRE: `flannel.1`, `vxlan.calico`, `tunl0` made with
/// `dev`), or, when there is no tunnel or the tunnel has no lower device (Cilium's `cilium_vxlan`
/// and OVN's `genev_sys_6081` run in metadata mode and route each packet), the default route's.
public struct NodeNIC: Hashable, Sendable, Codable, CustomStringConvertible {
    public var interface: DiscoveredInterface
    /// The tunnel devices whose lower device this is; empty when chosen by the default route.
    public var overlays: [DiscoveredInterface]
    public var reason: String

    public var description: String { "\(interface) (\(reason))" }
}

/// An interface of the scanned namespace, by name and ifindex (what tc attaches by).
public struct DiscoveredInterface: Hashable, Sendable, Codable, CustomStringConvertible {
    public var name: String
    public var index: Int32

    public init(name: String, index: Int32) {
        self.name = name
        self.index = index
    }

    public var description: String { "\(name) (ifindex \(index))" }
}

enum NICFinder {
    /// Kinds whose underlay packets leave by a lower device.
    static let tunnelKinds: Set<String> = ["vxlan", "geneve", "ipip", "gre", "gretap", "sit", "ip6tnl", "ip6gre", "ip6gretap"]

    static func find(links: [IPLink], defaultRouteDevice: () throws -> String?) throws -> NodeNIC {
        let byName = Dictionary(links.map { ($0.ifname, $0) }, uniquingKeysWith: { first, _ in first })
        let byIndex = Dictionary(links.map { ($0.ifindex, $0) }, uniquingKeysWith: { first, _ in first })
        let tunnels = links.filter { tunnelKinds.contains($0.kind ?? "") }
        var lowers: [String: [DiscoveredInterface]] = [:]
        for tunnel in tunnels {
            let lower = tunnel.lowerDevice.flatMap { byName[$0] }
                ?? (tunnel.linkNetnsid == nil ? tunnel.linkIndex.flatMap { byIndex[$0] } : nil)
            if let lower { lowers[lower.ifname, default: []].append(DiscoveredInterface(tunnel)) }
        }
        if lowers.count > 1 { throw DiscoveryError.ambiguousNIC(lowers.keys.sorted()) }
        if let (name, overlays) = lowers.first, let lower = byName[name] {
            let kinds = overlays.map(\.name).joined(separator: ", ")
            return NodeNIC(interface: DiscoveredInterface(lower), overlays: overlays, reason: "lower device of \(kinds)")
        }
        guard let device = try defaultRouteDevice() else {
            let looked = tunnels.isEmpty ? "no tunnel device" : "tunnel devices \(tunnels.map(\.ifname).joined(separator: ", ")) have no lower device"
            throw DiscoveryError.noNIC("\(looked), and no IPv4 default route")
        }
        guard let link = byName[device] else {
            throw DiscoveryError.noNIC("the default route's device \(device) is not in the link list")
        }
        let reason = tunnels.isEmpty
            ? "default route; no tunnel device"
            : "default route; \(tunnels.map(\.ifname).joined(separator: ", ")) route per packet (no lower device)"
        return NodeNIC(interface: DiscoveredInterface(link), overlays: [], reason: reason)
    }

    /// `ip -j route show default`: the first route's device (the lowest metric is listed first).
    static func defaultRouteDevice(_ output: String) throws -> String? {
        struct Route: Decodable { var dev: String? }
        do {
            return try JSONDecoder().decode([Route].self, from: Data(output.utf8)).compactMap(\.dev).first
        } catch {
            throw DiscoveryError.malformedOutput(source: "ip -j route show default", reason: "\(error)")
        }
    }
}

extension DiscoveredInterface {
    init(_ link: IPLink) { self.init(name: link.ifname, index: link.ifindex) }
}
