import Foundation
import Lab
import PacketKit
import XCTest

/// A mesh under test: brought up with a variant, watched by tcpdump at every pod's vport and at
/// both NICs while requests go through the gateway, torn down by `stop()` (call it from tearDown).
final class MeshWatch {
    let mesh: Mesh
    private var captures: [(name: String, capture: PacketCapture)] = []

    init(prefix: String) throws {
        guard Privileges.isRoot else { throw XCTSkip("the mesh needs root: network namespaces, iptables, tc") }
        if case .failure(let reason) = EnvoyBinary.locate() { throw XCTSkip(reason.description) }
        mesh = try Mesh(prefix: prefix)
    }

    var layout: MeshTopology { mesh.layout }

    func stop() {
        for (_, capture) in captures { _ = try? capture.stop() }
        captures.removeAll()
        try? mesh.down()
    }

    /// tcpdump on every vport (`vport:<service>`) and NIC (`nic:<node>`) of the mesh.
    func startCaptures() throws {
        let topology = layout.topology
        for pod in topology.pods {
            let node = topology.node(of: pod)
            captures.append(("vport:\(pod.name)", try PacketCapture(testbed: mesh.testbed, namespace: node.namespace, interface: pod.vport,
                                                                     filter: ["tcp", "port", "\(MeshTopology.appPort)"])))
        }
        for node in topology.nodes {
            captures.append(("nic:\(node.name)", try PacketCapture(testbed: mesh.testbed, namespace: node.namespace, interface: node.nic,
                                                                    filter: ["udp", "port", "\(topology.vxlanPort)"])))
        }
    }

    /// What each capture saw: the request packets with a trace context, by capture name.
    func stopCaptures() throws -> [String: [CapturedRequest]] {
        var seen: [String: [CapturedRequest]] = [:]
        for (name, capture) in captures {
            _ = try capture.stop(keepFile: true)
            seen[name] = try CapturedRequests.read(capture.file.path)
            try? FileManager.default.removeItem(at: capture.file)
        }
        captures.removeAll()
        return seen
    }

    /// A request from the client pod to the gateway with curl: `body` makes it a POST. Returns the response body.
    @discardableResult
    func send(body: Data? = nil, headers: [String] = []) throws -> String {
        var arguments = ["-sS", "--fail", "--max-time", "10"] + headers.flatMap { ["-H", $0] }
        if let body {
            let file = mesh.testbed.stateDirectory.appendingPathComponent("body-\(UUID().uuidString)")
            try body.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@\(file.path)"]
            return try mesh.testbed.run(in: layout.client.namespace, "curl", arguments + [layout.entry]).check().stdout
        }
        return try mesh.testbed.run(in: layout.client.namespace, "curl", arguments + [layout.entry]).check().stdout
    }

    /// The service a pod IP belongs to.
    func service(at ip: String) -> MeshTopology.Service? {
        MeshTopology.Service.allCases.first { layout.pod($0).ip == ip }
    }
}
