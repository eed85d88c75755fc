/// The Bookinfo-shaped mesh on the two-node testbed: a client and the ingress gateway on node1,
/// productpage on node2, details and reviews on node1, ratings on node2, so that every hop of a
/// request (gateway → productpage → details, productpage → reviews → ratings) crosses the NICs.
public struct MeshTopology: Sendable {
    public enum Service: String, Sendable, CaseIterable, Codable {
        case gateway, productpage, details, reviews, ratings

        /// Whom the service's app calls per request, in Bookinfo's order.
        public var downstream: [Service] {
            switch self {
            case .gateway: [.productpage]
            case .productpage: [.details, .reviews]
            case .reviews: [.ratings]
            case .details, .ratings: []
            }
        }
    }

    /// The port every app listens on, as in Bookinfo; the gateway listens on the testbed's HTTP port.
    public static let appPort = 9080
    /// Istio's ports: the sidecar's admin, outbound and inbound listeners, and its uid (traffic it
    /// sends is never redirected back to it).
    public static let adminPort = 15000
    public static let outboundPort = 15001
    public static let inboundPort = 15006
    public static let sidecarUID = 1337
    /// Where each pod's Envoy answers its own tracer's span exports (and discards them).
    public static let collectorPort = 9411

    public let topology: Topology

    public init(prefix: String = MeshTopology.defaultPrefix) throws {
        var topology = try Topology(prefix: prefix)
        let placement: [(name: String, node: Int, host: Int)] = [
            ("client", 1, 2), (Service.gateway.rawValue, 1, 3), (Service.productpage.rawValue, 2, 2),
            (Service.details.rawValue, 1, 4), (Service.reviews.rawValue, 1, 5), (Service.ratings.rawValue, 2, 3),
        ]
        topology.pods = placement.enumerated().map { index, p in
            Pod(name: p.name, index: index + 1, node: "node\(p.node)", namespace: "\(prefix)-\(p.name)",
                vport: "\(prefix)vp\(index + 1)", interface: "eth0", ip: "198.19.\(p.node).\(p.host)", serves: false)
        }
        self.topology = topology
    }

    public static let defaultPrefix = "mtmesh"

    public var client: Pod { topology.pod(named: "client")! }
    public func pod(_ service: Service) -> Pod { topology.pod(named: service.rawValue)! }
    public func node(of service: Service) -> Node { topology.node(of: pod(service)) }

    /// The Host a caller writes for a service, as Kubernetes DNS names it in Bookinfo.
    public static func authority(_ service: Service) -> String { "\(service.rawValue):\(appPort)" }

    /// The gateway's URL, where requests enter the mesh.
    public var entry: String { "http://\(pod(.gateway).ip):\(topology.httpPort)/productpage" }
}
