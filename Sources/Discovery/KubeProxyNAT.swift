import Foundation

/// Reads kube-proxy's iptables-mode NAT rules (`iptables-save -t nat`) into ClusterIP:port →
/// endpoints. The layout, as kube-proxy's own expected outputs show it (pkg/proxy/iptables/proxier_test.go):
///
///     -A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
///     -A KUBE-SVC-XPGD46QRK7WJZT7O … -m statistic --mode random --probability 0.5 -j KUBE-SEP-SXIVWICOYRO3J4NJ
///     -A KUBE-SVC-XPGD46QRK7WJZT7O … -j KUBE-SEP-LXVODXWDISEETFEF
///     -A KUBE-SEP-SXIVWICOYRO3J4NJ -p tcp -m comment --comment ns1/svc1:p80 -m tcp -j DNAT --to-destination 10.180.0.1:80
///
/// Only the cluster IP jumps are read (external, load-balancer and node-port rules lead to the same
/// KUBE-SVC chains). A Service with `internalTrafficPolicy: Local` jumps to a KUBE-SVL chain instead.
public enum KubeProxyNAT {
    public static func parse(iptablesSave output: String) throws -> ServiceNATMap {
        var chains: [String: [IptablesRule]] = [:]
        var declared: Set<String> = []
        var inNAT = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("*") { inNAT = line == "*nat" }
            guard inNAT else { continue }
            if line.hasPrefix(":") { declared.insert(String(line.dropFirst().prefix { $0 != " " })) }
            if let rule = try IptablesRule(line: line) { chains[rule.chain, default: []].append(rule) }
        }
        guard declared.contains("KUBE-SERVICES") else {
            throw DiscoveryError.malformedOutput(
                source: "iptables-save -t nat",
                reason: "no KUBE-SERVICES chain: kube-proxy does not run in iptables mode in this namespace (nftables or IPVS mode, or no kube-proxy)"
            )
        }
        var map = ServiceNATMap()
        for rule in chains["KUBE-SERVICES"] ?? [] {
            guard let jump = rule.jump, isServiceChain(jump), let destination = rule.value("-d"),
                  let portText = rule.value("--dport"), let port = Int(portText) else { continue }
            if let comment = rule.comment, !comment.hasSuffix("cluster IP") { continue }
            let (service, portName) = names(fromComment: rule.comment)
            let key = ClusterIPPort(ip: stripHostPrefix(destination), port: port, proto: rule.value("-p") ?? "tcp")
            var visited: Set<String> = []
            let endpoints = try destinations(from: jump, chains: chains, visited: &visited)
            map.services[key] = ServiceEndpoints(clusterIP: key, service: service, portName: portName, endpoints: endpoints.sorted())
        }
        return map
    }

    static func isServiceChain(_ name: String) -> Bool { name.hasPrefix("KUBE-SVC-") || name.hasPrefix("KUBE-SVL-") }

    /// Every DNAT target reachable from a service chain through KUBE-SVC/SVL/SEP jumps (older
    /// kube-proxy versions chained service chains; session affinity repeats a SEP jump).
    private static func destinations(from chain: String, chains: [String: [IptablesRule]], visited: inout Set<String>) throws -> Set<ServiceEndpoint> {
        guard visited.insert(chain).inserted else { return [] }
        var found: Set<ServiceEndpoint> = []
        for rule in chains[chain] ?? [] {
            guard let jump = rule.jump else { continue }
            if jump == "DNAT", let target = rule.value("--to-destination") {
                found.insert(try endpoint(target))
            } else if isServiceChain(jump) || jump.hasPrefix("KUBE-SEP-") {
                found.formUnion(try destinations(from: jump, chains: chains, visited: &visited))
            }
        }
        return found
    }

    /// `10.180.0.1:80` or `[fd00::1]:80`.
    static func endpoint(_ text: String) throws -> ServiceEndpoint {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw DiscoveryError.malformedOutput(source: "iptables-save -t nat", reason: "DNAT target '\(text)' is not IP:PORT")
        }
        let host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return ServiceEndpoint(ip: host, port: port)
    }

    /// `ns/svc:port cluster IP` (current), `ns/svc cluster IP` (one unnamed port), `ns/svc: cluster IP` (older).
    static func names(fromComment comment: String?) -> (service: String, port: String) {
        guard let comment else { return ("", "") }
        let name = comment.hasSuffix(" cluster IP") ? String(comment.dropLast(" cluster IP".count)) : comment
        guard let colon = name.lastIndex(of: ":") else { return (name, "") }
        return (String(name[..<colon]), String(name[name.index(after: colon)...]))
    }

    static func stripHostPrefix(_ address: String) -> String {
        address.hasSuffix("/32") || address.hasSuffix("/128") ? String(address.prefix { $0 != "/" }) : address
    }
}
