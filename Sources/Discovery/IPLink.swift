import Foundation

/// One interface as `ip -j -d link show` and `ip -j addr show` describe it. Only the fields
/// discovery reads; every other key `ip` writes is ignored, so newer iproute2 versions still parse.
struct IPLink: Decodable, Sendable {
    var ifindex: Int32
    var ifname: String
    /// For a veth, the peer's ifindex (in the peer's namespace); for a VLAN or macvlan, the lower device's.
    var linkIndex: Int32?
    /// Present when `linkIndex` lives in another network namespace.
    var linkNetnsid: Int?
    var kind: String?
    /// A tunnel's lower device (`dev` when it was made), by name.
    var lowerDevice: String?
    var addresses: [InterfaceAddress]

    enum CodingKeys: String, CodingKey {
        case ifindex, ifname, linkinfo
        case linkIndex = "link_index", linkNetnsid = "link_netnsid", addrInfo = "addr_info"
    }

    private struct LinkInfo: Decodable {
        var kind: String?
        var lower: String?
        enum CodingKeys: String, CodingKey { case infoKind = "info_kind", infoData = "info_data" }
        enum DataKeys: String, CodingKey { case link }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decodeIfPresent(String.self, forKey: .infoKind)
            // info_data's shape depends on the kind (a bridge's holds dozens of keys); only a
            // tunnel's string `link` matters, so a differently typed one is not an error.
            lower = (try? c.nestedContainer(keyedBy: DataKeys.self, forKey: .infoData)).flatMap { try? $0.decodeIfPresent(String.self, forKey: .link) }
        }
    }

    private struct AddrInfo: Decodable {
        var family: String
        var local: String
        var prefixlen: Int
        var scope: String?
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ifindex = try c.decode(Int32.self, forKey: .ifindex)
        ifname = try c.decode(String.self, forKey: .ifname)
        linkIndex = try c.decodeIfPresent(Int32.self, forKey: .linkIndex)
        linkNetnsid = try c.decodeIfPresent(Int.self, forKey: .linkNetnsid)
        let info = try c.decodeIfPresent(LinkInfo.self, forKey: .linkinfo)
        kind = info?.kind
        lowerDevice = info?.lower
        let infos = try c.decodeIfPresent([AddrInfo].self, forKey: .addrInfo) ?? []
        addresses = infos.filter { $0.family == "inet" || $0.family == "inet6" }.map {
            InterfaceAddress(address: $0.local, prefixLength: $0.prefixlen, isLinkLocal: $0.scope == "link")
        }
    }

    static func decodeList(_ output: String, source: String) throws -> [IPLink] {
        do {
            return try JSONDecoder().decode([IPLink].self, from: Data(output.utf8))
        } catch {
            throw DiscoveryError.malformedOutput(source: source, reason: "\(error)")
        }
    }
}

/// An address on an interface, as `ip addr` lists it.
public struct InterfaceAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    public var address: String
    public var prefixLength: Int
    /// fe80::/10 and the like: never a pod's identity.
    public var isLinkLocal: Bool

    public init(address: String, prefixLength: Int, isLinkLocal: Bool = false) {
        self.address = address
        self.prefixLength = prefixLength
        self.isLinkLocal = isLinkLocal
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
