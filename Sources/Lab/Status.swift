import Foundation

/// What is there of a testbed, read from the kernel, and whether pod1 reaches the servers.
public struct TestbedStatus: Sendable {
    /// The testbed's namespaces that exist.
    public var namespaces: [String]
    /// What is missing or broken; empty when the testbed is up.
    public var problems: [String]

    public var isUp: Bool { problems.isEmpty }
    /// Not one of its namespaces exists.
    public var isAbsent: Bool { namespaces.isEmpty }
}

extension Testbed {
    /// Checks, in order: namespaces; interfaces (present, administratively up); IPv4 forwarding in
    /// the nodes; overlay routes; pod addresses; servers running; and, only when all that holds,
    /// an HTTP GET from pod1 to each serving pod through the overlay.
    public func status() throws -> TestbedStatus {
        try Privileges.requireRoot()
        let present = Set(try NetworkNamespace.all())
        let namespaces = topology.namespaces.filter(present.contains)
        var problems = topology.namespaces.filter { !present.contains($0) }.map { "namespace \($0) missing" }
        guard problems.isEmpty else { return TestbedStatus(namespaces: namespaces, problems: problems) }

        for (namespace, name) in topology.interfaces {
            guard let line = try? NetworkNamespace(namespace).ip(["-o", "link", "show", "dev", name]).stdout else {
                problems.append("interface \(name) missing in \(namespace)")
                continue
            }
            // `2: name@peer: <BROADCAST,MULTICAST,UP,LOWER_UP> ...`: UP among the flags.
            let flags = line.split(separator: "<").dropFirst().first?.split(separator: ">").first ?? ""
            if !flags.split(separator: ",").contains("UP") { problems.append("interface \(name) in \(namespace) is down") }
        }
        for node in topology.nodes {
            let forwarding = try? NetworkNamespace(node.namespace).run("sysctl", ["-n", "net.ipv4.ip_forward"]).stdout
            if forwarding?.trimmingCharacters(in: .whitespacesAndNewlines) != "1" { problems.append("ip_forward off in \(node.namespace)") }
            for remote in topology.nodes where remote != node {
                let routes = (try? NetworkNamespace(node.namespace).ip(["route", "show", remote.podSubnet]).stdout) ?? ""
                if !routes.contains("via \(remote.overlayAddress) dev \(node.overlayDevice)") {
                    problems.append("no route to \(remote.podSubnet) in \(node.namespace)")
                }
            }
        }
        for pod in topology.pods {
            let addresses = (try? NetworkNamespace(pod.namespace).ip(["-o", "-4", "addr", "show", "dev", pod.interface]).stdout) ?? ""
            if !addresses.contains("inet \(pod.ip)/") { problems.append("\(pod.name) lacks \(pod.ip)") }
            if pod.serves && NetworkNamespace(pod.namespace).pids().isEmpty { problems.append("no HTTP server in \(pod.name)") }
        }
        guard problems.isEmpty else { return TestbedStatus(namespaces: namespaces, problems: problems) }

        for server in topology.pods where server.serves {
            let outcome = try? probe(from: topology.client, to: server, timeout: 2)
            if outcome?.status != 200 {
                problems.append("\(topology.client.name) gets no answer from \(topology.url(of: server, path: HTTPRequest.path)): \(outcome?.error ?? "status \(outcome?.status ?? 0)")")
            }
        }
        return TestbedStatus(namespaces: namespaces, problems: problems)
    }
}
