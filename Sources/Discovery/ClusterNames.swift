import Foundation

/// `namespace/name` of a pod or a Service.
public struct ObjectName: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }
    public static func < (a: ObjectName, b: ObjectName) -> Bool { a.description < b.description }
}

/// Kubernetes names for pod IPs: the pods on this node (listed and watched with
/// fieldSelector=spec.nodeName) and every Service's EndpointSlices. Optional: without an API
/// server the agent works with addresses only.
public final class ClusterNames: @unchecked Sendable {
    public let pods: ListWatch<Pod>
    public let endpointSlices: ListWatch<EndpointSlice>

    public init(client: KubernetesClient, nodeName: String, backoff: WatchBackoff = WatchBackoff(), onActivity: @escaping @Sendable (String, WatchActivity) -> Void = { _, _ in }) {
        let node = nodeName.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? nodeName
        pods = ListWatch(client: client, path: "/api/v1/pods", query: ["fieldSelector=spec.nodeName%3D\(node)"], backoff: backoff) { onActivity("pods", $0) }
        // Only slices a Service owns carry the label; the selector leaves out the others.
        endpointSlices = ListWatch(client: client, path: "/apis/discovery.k8s.io/v1/endpointslices", query: ["labelSelector=kubernetes.io%2Fservice-name"], backoff: backoff) { onActivity("endpointslices", $0) }
    }

    public func start() {
        pods.start()
        endpointSlices.start()
    }

    public func stop() {
        pods.stop()
        endpointSlices.stop()
    }

    /// The pod on this node whose IP this is.
    public func pod(forIP ip: String) -> ObjectName? {
        pods.objects.values.first { $0.ips.contains(ip) }.flatMap { pod in
            guard let namespace = pod.metadata.namespace, let name = pod.metadata.name else { return nil }
            return ObjectName(namespace: namespace, name: name)
        }
    }

    /// The Services whose endpoints include this IP (any node's pods), sorted.
    public func services(forIP ip: String) -> [ObjectName] {
        let names = endpointSlices.objects.values.compactMap { slice -> ObjectName? in
            guard let service = slice.serviceName, let namespace = slice.metadata.namespace,
                  slice.endpoints?.contains(where: { $0.addresses.contains(ip) }) == true else { return nil }
            return ObjectName(namespace: namespace, name: service)
        }
        return Set(names).sorted()
    }
}
