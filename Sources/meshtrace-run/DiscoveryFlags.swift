import ArgumentParser
import Discovery
import Runner

/// The node agent's flags: `--discover` and what only it uses.
struct DiscoveryFlags: ParsableArguments {
    @Flag(help: "Find the NIC and the pods' vports in this namespace, attach there, and follow pods as they come and go (instead of --point).")
    var discover = false

    @Option(help: "nic=POINT,vport=POINT: the spec's points for the NIC and the vports (default nic=nic,vport=vport).")
    var discoverMap: String?

    @Option(help: "The host's /proc, where pod namespaces are found through their processes (a DaemonSet mounts it at /host/proc).")
    var procRoot = "/proc"

    @Option(help: "A JSON kubeconfig for pod and Service names (default: in-cluster credentials when KUBERNETES_SERVICE_HOST is set; none: addresses only).")
    var kubeconfig: String?

    @Option(help: "ns/svc[:port] or svc.ns[:port]: trace only this Service's traffic, following kube-proxy's NAT to its pods (repeatable).")
    var traceService: [String] = []

    @Option(help: "kube-proxy's mode, for --trace-service: iptables (iptables-save) or nftables.")
    var kubeProxyMode = "iptables"

    /// The options for `--discover` (nil without it), or a usage error for a flag that needs it,
    /// or for `--point` given with it (one run attaches either where it is told or where it finds).
    /// `nodeName`: the node's name as the user gave it (Kubernetes names this node's pods by it).
    func options(points: [String], netns: String?, verbose: Bool, nodeName: String?) throws -> DiscoveryOptions? {
        guard discover else {
            let given = [("--discover-map", discoverMap != nil), ("--kubeconfig", kubeconfig != nil),
                         ("--trace-service", !traceService.isEmpty), ("--proc-root", procRoot != "/proc")].filter(\.1).map(\.0)
            if let first = given.first { throw RunnerError.usage("\(first) needs --discover") }
            return nil
        }
        guard points.isEmpty else {
            throw RunnerError.usage("--discover finds the points itself; leave out --point (or drop --discover to attach only where --point says)")
        }
        guard let mode = DiscoveryOptions.KubeProxyMode(rawValue: kubeProxyMode) else {
            throw RunnerError.usage("--kube-proxy-mode is iptables or nftables, not '\(kubeProxyMode)'")
        }
        var options = DiscoveryOptions()
        if let discoverMap { try options.map(parsing: discoverMap) }
        options.node = netns.map { .named($0) } ?? .current
        options.procRoot = procRoot
        options.nodeName = nodeName
        options.kubeconfig = kubeconfig
        options.traceServices = traceService
        options.kubeProxyMode = mode
        options.logsEveryScan = verbose
        return options
    }
}
