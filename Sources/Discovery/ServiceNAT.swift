import Foundation

/// A Service port as kube-proxy programs it: its ClusterIP, port and protocol.
public struct ClusterIPPort: Hashable, Sendable, Codable, CustomStringConvertible {
    public var ip: String
    public var port: Int
    /// `tcp`, `udp` or `sctp`.
    public var proto: String

    public var description: String { "\(ip):\(port)/\(proto)" }
}

/// An endpoint a Service port DNATs to: a pod IP and its target port.
public struct ServiceEndpoint: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public var ip: String
    public var port: Int

    public var description: String { "\(ip):\(port)" }
    public static func < (a: ServiceEndpoint, b: ServiceEndpoint) -> Bool { (a.ip, a.port) < (b.ip, b.port) }
}

/// One Service port and where kube-proxy sends its traffic.
public struct ServiceEndpoints: Hashable, Sendable, Codable, CustomStringConvertible {
    public var clusterIP: ClusterIPPort
    /// `namespace/service`.
    public var service: String
    /// The port's name, empty for a Service with one unnamed port.
    public var portName: String
    /// Sorted; empty for a Service without ready endpoints (kube-proxy rejects its traffic).
    public var endpoints: [ServiceEndpoint]

    /// `namespace/service:port`, the name kube-proxy's comments use.
    public var name: String { portName.isEmpty ? service : "\(service):\(portName)" }
    public var description: String { "\(name) \(clusterIP) -> [\(endpoints.map(\.description).joined(separator: ", "))]" }
}

/// Every Service port kube-proxy has programmed on this node, by ClusterIP:port.
public struct ServiceNATMap: Hashable, Sendable, Codable {
    public var services: [ClusterIPPort: ServiceEndpoints]

    public init(services: [ClusterIPPort: ServiceEndpoints] = [:]) { self.services = services }

    /// The Service ports a `--trace-service` argument names: `ns/svc:port` or `svc.ns:port`, where
    /// the port is the Service port's number or name (`reviews.default:9080`, `default/reviews:http`);
    /// without a port, every port of the Service.
    public func lookup(_ selector: String) throws -> [ServiceEndpoints] {
        let (service, port) = try ServiceNATMap.parse(selector)
        let matches = services.values.filter { entry in
            entry.service == service && (port == nil || entry.portName == port || String(entry.clusterIP.port) == port)
        }
        guard !matches.isEmpty else {
            let known = Set(services.values.map(\.service)).sorted().joined(separator: ", ")
            throw DiscoveryError.serviceSelector("no Service port '\(selector)' in kube-proxy's rules (Services: \(known.isEmpty ? "none" : known))")
        }
        return matches.sorted { $0.clusterIP.port < $1.clusterIP.port }
    }

    static func parse(_ selector: String) throws -> (service: String, port: String?) {
        let parts = selector.split(separator: ":", maxSplits: 1).map(String.init)
        guard let head = parts.first, !head.isEmpty, parts.count == 1 || !parts[1].isEmpty else {
            throw DiscoveryError.serviceSelector("'\(selector)' is not ns/svc[:port] or svc.ns[:port]")
        }
        let port = parts.count == 2 ? parts[1] : nil
        if head.contains("/") {
            let pieces = head.split(separator: "/").map(String.init)
            guard pieces.count == 2 else { throw DiscoveryError.serviceSelector("'\(selector)' is not ns/svc[:port]") }
            return ("\(pieces[0])/\(pieces[1])", port)
        }
        let pieces = head.split(separator: ".").map(String.init)
        guard pieces.count == 2 else { throw DiscoveryError.serviceSelector("'\(selector)' is not svc.ns[:port] (a bare name has no namespace)") }
        return ("\(pieces[1])/\(pieces[0])", port)
    }
}
