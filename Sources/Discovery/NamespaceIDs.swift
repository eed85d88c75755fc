import Foundation

/// The node namespace's table of peer namespace ids (`ip -j netns list-id`): the nsid a veth's
/// `link_netnsid` carries, and the /run/netns name of the namespace it stands for, when it has one.
struct NamespaceIDs {
    var names: [Int: String] = [:]

    static func read(_ node: NodeNamespace) throws -> NamespaceIDs {
        struct Entry: Decodable { var nsid: Int; var name: String? }
        let output = try node.ip(["-j", "netns", "list-id"])
        do {
            let entries = try JSONDecoder().decode([Entry].self, from: Data(output.utf8))
            return NamespaceIDs(names: Dictionary(entries.compactMap { e in e.name.map { (e.nsid, $0) } }, uniquingKeysWith: { a, _ in a }))
        } catch {
            throw DiscoveryError.malformedOutput(source: "ip -j netns list-id", reason: "\(error)")
        }
    }
}
