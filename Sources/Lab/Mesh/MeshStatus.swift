import Foundation

/// What is there of a mesh: the testbed's own checks, then per pod its proxy, app and NAT rules,
/// then one request through the gateway that must reach every service.
public struct MeshStatus: Sendable {
    public var variant: MeshVariant?
    public var isAbsent: Bool
    public var problems: [String]
    public var isUp: Bool { problems.isEmpty }
}

extension Mesh {
    public func status() throws -> MeshStatus {
        let base = try testbed.status()
        guard base.isUp else { return MeshStatus(variant: variant, isAbsent: base.isAbsent, problems: base.problems) }
        var problems: [String] = []
        guard let variant else {
            return MeshStatus(variant: nil, isAbsent: false, problems: ["no mesh started on testbed \(layout.topology.prefix)"])
        }
        for service in MeshTopology.Service.allCases {
            let pod = layout.pod(service)
            let commands = NetworkNamespace(pod.namespace).pids().compactMap { try? String(contentsOfFile: "/proc/\($0)/cmdline", encoding: .utf8) }
            if !commands.contains(where: { $0.contains("envoy") }) { problems.append("no Envoy in \(pod.name)") }
            if service != .gateway {
                if !commands.contains(where: { $0.contains("bookinfo.py") }) { problems.append("no app in \(pod.name)") }
                if !Interception.isInstalled(in: testbed, pod: pod) { problems.append("no traffic capture (iptables) in \(pod.name)") }
            }
        }
        if problems.isEmpty {
            let answer = try? testbed.run(in: layout.client.namespace, "curl", ["-s", "--max-time", "5", layout.entry])
            let body = answer?.stdout ?? ""
            if answer?.succeeded != true || !body.contains("\"ratings\": {\"service\": \"ratings\"") {
                problems.append("a request through the gateway (\(layout.entry)) does not reach every service: \(body.prefix(200))\(answer?.stderr ?? "")")
            }
        }
        return MeshStatus(variant: variant, isAbsent: false, problems: problems)
    }
}
