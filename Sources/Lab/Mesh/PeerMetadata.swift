import Foundation

/// The metadata-exchange headers Istio's proxies put on every request they send
/// (`x-envoy-peer-metadata`: the workload's node metadata, base64; `x-envoy-peer-metadata-id`),
/// with the fields and sizes of a Bookinfo pod's: they are why the tracer's context, appended
/// after them, sits about a kilobyte into the request.
enum PeerMetadata {
    static func headers(for service: MeshTopology.Service, pod: Pod) -> [(name: String, value: String)] {
        let workload = service == .gateway ? "istio-ingressgateway" : "\(service.rawValue)-v1"
        let namespace = service == .gateway ? "istio-system" : "default"
        let podName = "\(workload)-5b8f9c6d4-k\(pod.index)q7z"
        // Istio serialises a protobuf Struct; this JSON of the same fields is of the same size.
        let fields: [(String, String)] = [
            ("APP_CONTAINERS", service == .gateway ? "istio-proxy" : service.rawValue),
            ("CLUSTER_ID", "Kubernetes"),
            ("INSTANCE_IPS", pod.ip),
            ("INTERCEPTION_MODE", "REDIRECT"),
            ("ISTIO_VERSION", "1.12.1"),
            ("LABELS", "{\"app\":\"\(service.rawValue)\",\"security.istio.io/tlsMode\":\"istio\",\"version\":\"v1\"}"),
            ("MESH_ID", "cluster.local"),
            ("NAME", podName),
            ("NAMESPACE", namespace),
            ("OWNER", "kubernetes://apis/apps/v1/namespaces/\(namespace)/deployments/\(workload)"),
            ("WORKLOAD_NAME", workload),
        ]
        let json = "{" + fields.map { "\"\($0.0)\":\"\($0.1.replacingOccurrences(of: "\"", with: "\\\""))\"" }.joined(separator: ",") + "}"
        return [
            ("x-envoy-peer-metadata", Data(json.utf8).base64EncodedString()),
            ("x-envoy-peer-metadata-id", "sidecar~\(pod.ip)~\(podName).\(namespace)~\(namespace).svc.cluster.local"),
        ]
    }
}
