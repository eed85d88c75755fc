import Foundation

/// Reads kube-proxy's nftables-mode rules (`nft -j list table ip kube-proxy`) into the same map as
/// the iptables mode. The layout, as kube-proxy's own expected outputs show it
/// (pkg/proxy/nftables/proxier_test.go):
///
///     add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
///     add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }
///     add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80
///
/// The `service-ips` map holds ClusterIPs (to `service-` chains, or `local-` ones with
/// `internalTrafficPolicy: Local`) and external and load-balancer IPs (to `external-` chains,
/// left out here). Chain names carry `namespace/service/protocol/port` after an 8-character hash.
public enum KubeProxyNFT {
    public static func parse(nftJSON output: String) throws -> ServiceNATMap {
        guard let root = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let objects = root["nftables"] as? [[String: Any]] else {
            throw DiscoveryError.malformedOutput(source: "nft -j list table ip kube-proxy", reason: "not nft's JSON ({\"nftables\": [...]})")
        }
        var rules: [String: [Any]] = [:]
        var elements: [[Any]] = []
        for object in objects {
            if let rule = object["rule"] as? [String: Any], let chain = rule["chain"] as? String {
                rules[chain, default: []].append(rule["expr"] ?? [])
            }
            if let map = object["map"] as? [String: Any], map["name"] as? String == "service-ips" {
                elements = map["elem"] as? [[Any]] ?? []
            }
        }
        var map = ServiceNATMap()
        for element in elements {
            guard element.count == 2, let key = (element[0] as? [String: Any])?["concat"] as? [Any], key.count == 3,
                  let ip = key[0] as? String, let proto = key[1] as? String, let port = key[2] as? Int,
                  let chain = targets(in: element[1]).first, isServiceChain(chain) else { continue }
            let (service, portName) = try names(ofChain: chain)
            var visited: Set<String> = []
            let clusterIP = ClusterIPPort(ip: ip, port: port, proto: proto)
            let endpoints = destinations(from: chain, rules: rules, visited: &visited)
            map.services[clusterIP] = ServiceEndpoints(clusterIP: clusterIP, service: service, portName: portName, endpoints: endpoints.sorted())
        }
        return map
    }

    static func isServiceChain(_ name: String) -> Bool { name.hasPrefix("service-") || name.hasPrefix("local-") }

    private static func destinations(from chain: String, rules: [String: [Any]], visited: inout Set<String>) -> Set<ServiceEndpoint> {
        guard visited.insert(chain).inserted else { return [] }
        var found: Set<ServiceEndpoint> = []
        for expression in rules[chain] ?? [] {
            found.formUnion(dnats(in: expression))
            for target in targets(in: expression) where isServiceChain(target) || target.hasPrefix("endpoint-") {
                found.formUnion(destinations(from: target, rules: rules, visited: &visited))
            }
        }
        return found
    }

    /// Every `{"goto"|"jump": {"target": …}}` in an expression tree, in order.
    static func targets(in node: Any) -> [String] {
        if let dictionary = node as? [String: Any] {
            for verdict in ["goto", "jump"] {
                if let target = (dictionary[verdict] as? [String: Any])?["target"] as? String { return [target] }
            }
            return dictionary.keys.sorted().flatMap { targets(in: dictionary[$0]!) }
        }
        return (node as? [Any])?.flatMap { targets(in: $0) } ?? []
    }

    /// Every `{"dnat": {"addr": …, "port": …}}` in an expression tree.
    static func dnats(in node: Any) -> [ServiceEndpoint] {
        if let dictionary = node as? [String: Any] {
            if let dnat = dictionary["dnat"] as? [String: Any], let address = dnat["addr"] as? String, let port = dnat["port"] as? Int {
                return [ServiceEndpoint(ip: address, port: port)]
            }
            return dictionary.values.flatMap { dnats(in: $0) }
        }
        return (node as? [Any])?.flatMap { dnats(in: $0) } ?? []
    }

    /// `service-NKB2MNRK-default/reviews/tcp/http` → (`default/reviews`, `http`).
    static func names(ofChain chain: String) throws -> (service: String, port: String) {
        let parts = chain.split(separator: "-", maxSplits: 2)
        let path = parts.count == 3 ? parts[2].split(separator: "/", omittingEmptySubsequences: false) : []
        guard path.count == 4 else {
            throw DiscoveryError.malformedOutput(source: "nft -j list table ip kube-proxy", reason: "chain '\(chain)' is not <kind>-<hash>-<namespace>/<service>/<protocol>/<port>")
        }
        return ("\(path[0])/\(path[1])", String(path[3]))
    }
}
