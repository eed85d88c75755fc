import Foundation

/// The fields of Kubernetes objects that naming needs; every other field the API server sends is ignored.
public struct ObjectMeta: Decodable, Sendable, Hashable {
    public var name: String?
    public var namespace: String?
    public var resourceVersion: String?
    public var labels: [String: String]?
}

/// A resource the agent lists and watches.
public protocol KubernetesObject: Decodable, Sendable {
    var metadata: ObjectMeta { get }
}

extension KubernetesObject {
    /// `namespace/name`, the key objects are stored by.
    var key: String { "\(metadata.namespace ?? "")/\(metadata.name ?? "")" }
}

public struct Pod: KubernetesObject, Hashable {
    public struct Spec: Decodable, Sendable, Hashable {
        public var nodeName: String?
        public var hostNetwork: Bool?
    }
    public struct Status: Decodable, Sendable, Hashable {
        public struct IP: Decodable, Sendable, Hashable { public var ip: String }
        public var podIP: String?
        /// Dual-stack pods list both families here (Kubernetes ≥ 1.16); older servers send podIP only.
        public var podIPs: [IP]?
        public var phase: String?
    }
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    /// The pod's own IPs; none for a hostNetwork pod, whose IP is the node's.
    public var ips: [String] {
        guard spec?.hostNetwork != true else { return [] }
        let listed = status?.podIPs?.map(\.ip) ?? []
        return listed.isEmpty ? (status?.podIP.map { [$0] } ?? []) : listed
    }
}

public struct EndpointSlice: KubernetesObject, Hashable {
    public struct Endpoint: Decodable, Sendable, Hashable {
        public var addresses: [String]
        public var nodeName: String?
    }
    public var metadata: ObjectMeta
    public var endpoints: [Endpoint]?

    /// The Service the slice belongs to, from the label the EndpointSlice controller sets.
    public var serviceName: String? { metadata.labels?["kubernetes.io/service-name"] }
}

/// `{"kind":"…List","metadata":{"resourceVersion":…},"items":[…]}`.
struct ObjectList<Object: KubernetesObject>: Decodable {
    var metadata: ObjectMeta
    var items: [Object]
}

/// A `metav1.Status`, the body of API errors and of a watch's ERROR event.
struct APIStatus: Decodable, Error, CustomStringConvertible {
    var code: Int?
    var reason: String?
    var message: String?
    var description: String { "\(code.map(String.init) ?? "?") \(reason ?? ""): \(message ?? "")" }
}

/// One line of a watch stream.
enum WatchEvent<Object: KubernetesObject> {
    case added(Object), modified(Object), deleted(Object)
    /// Only metadata.resourceVersion is set: where to resume.
    case bookmark(resourceVersion: String)
    case error(APIStatus)

    static func decode(_ line: Data) throws -> WatchEvent {
        let decoder = JSONDecoder()
        let type = try decoder.decode(EventType.self, from: line).type
        switch type {
        case "ADDED": return .added(try decoder.decode(Envelope<Object>.self, from: line).object)
        case "MODIFIED": return .modified(try decoder.decode(Envelope<Object>.self, from: line).object)
        case "DELETED": return .deleted(try decoder.decode(Envelope<Object>.self, from: line).object)
        case "BOOKMARK":
            let version = try decoder.decode(Envelope<Metadata>.self, from: line).object.metadata.resourceVersion
            guard let version else { throw DiscoveryError.malformedOutput(source: "watch stream", reason: "BOOKMARK without a resourceVersion") }
            return .bookmark(resourceVersion: version)
        case "ERROR": return .error(try decoder.decode(Envelope<APIStatus>.self, from: line).object)
        default: throw DiscoveryError.malformedOutput(source: "watch stream", reason: "unknown event type '\(type)'")
        }
    }
}

private struct EventType: Decodable { var type: String }
private struct Envelope<T: Decodable>: Decodable { var object: T }
private struct Metadata: Decodable { var metadata: ObjectMeta }
