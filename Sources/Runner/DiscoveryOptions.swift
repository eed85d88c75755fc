import Discovery
import Foundation

/// How `--discover` runs: which of the spec's points go at the NIC and at the vports, where the
/// host's namespaces are seen, where names come from, and which Services to trace.
public struct DiscoveryOptions: Sendable {
    /// kube-proxy's mode, which decides how its Service NAT is read.
    public enum KubeProxyMode: String, Sendable, CaseIterable {
        /// `iptables-save -t nat` (the program must use kube-proxy's backend, nft or legacy).
        case iptables
        /// `nft -j list table ip kube-proxy`.
        case nftables
    }

    /// The spec's point attached at the NIC, and the one attached at every vport.
    public var nicPoint = "nic"
    public var vportPoint = "vport"
    /// The namespace scanned: the runner's own, or the one `--netns` named.
    public var node: NodeNamespace = .current
    public var procRoot = "/proc"
    /// This node's name in Kubernetes: the API server lists the pods of this node only.
    public var nodeName: String?
    /// A JSON kubeconfig; without it, in-cluster credentials when KUBERNETES_SERVICE_HOST is set.
    public var kubeconfig: String?
    /// `ns/svc[:port]` or `svc.ns[:port]`: only these Services' traffic is traced.
    public var traceServices: [String] = []
    public var kubeProxyMode = KubeProxyMode.iptables
    /// Tables the user fills with `--table`/`--table-default`: `--trace-service` must not share one.
    public var userTables: Set<String> = []
    /// Log every scan (`-v`), each with its number and time, not only changes.
    public var logsEveryScan = false
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init() {}

    /// `--discover-map nic=NAME,vport=NAME`.
    public mutating func map(parsing text: String) throws {
        var seen: Set<String> = []
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty, ["nic", "vport"].contains(parts[0]), seen.insert(parts[0]).inserted else {
                throw RunnerError.usage("--discover-map takes nic=POINT,vport=POINT (the spec's point names), not '\(text)'")
            }
            if parts[0] == "nic" { nicPoint = parts[1] } else { vportPoint = parts[1] }
        }
    }

    /// The credentials names come from, or nil for addresses only.
    func credentials() throws -> KubernetesCredentials? {
        if let kubeconfig { return try KubernetesCredentials.kubeconfig(path: kubeconfig) }
        if environment["KUBERNETES_SERVICE_HOST"] != nil { return try KubernetesCredentials.inCluster(environment: environment) }
        return nil
    }
}
