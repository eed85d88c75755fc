import Foundation
import PacketKit
import Runner

/// One stretch of load through the mesh, watched at productpage (node2): meshtrace-run on both
/// nodes with a given object, tcpdump on node2's NIC and on productpage's vport. What productpage
/// receives (from the gateway) is its rx hop, what its sidecar sends (to details and reviews) its tx.
struct ProductpageObservation {
    var load: OpenLoopReport
    /// Request packets tcpdump saw at productpage's vport and at node2's NIC (inner headers).
    var atVport: [CapturedRequest]
    var atNIC: [CapturedRequest]
    /// What node2's runner joined for productpage's packets.
    var joined: [PacketRecord]
    var productpage: Pod

    static func run(mesh: Mesh, object: String, qps: Double, seconds: Double) throws -> ProductpageObservation {
        let testbed = mesh.testbed
        let productpage = mesh.layout.pod(.productpage), node = mesh.layout.node(of: .productpage)
        let tracing = TracingRun(testbed: testbed)
        try tracing.start(object: object)
        var captures: [PacketCapture] = []
        defer { for capture in captures { _ = try? capture.stop() } }
        captures.append(try PacketCapture(testbed: testbed, namespace: node.namespace, interface: productpage.vport, filter: ["tcp", "port", "\(MeshTopology.appPort)"]))
        captures.append(try PacketCapture(testbed: testbed, namespace: node.namespace, interface: node.nic, filter: ["udp", "port", "\(testbed.topology.vxlanPort)"]))
        let load = try mesh.openLoop(qps: qps, seconds: seconds)
        let outputs = tracing.stop()
        var seen: [[CapturedRequest]] = []
        for capture in captures {
            _ = try capture.stop(keepFile: true)
            seen.append(try CapturedRequests.read(capture.file.path))
            try? FileManager.default.removeItem(at: capture.file)
        }
        captures.removeAll()
        guard let runner = outputs.first(where: { $0.node == node.name }), runner.summary != nil else {
            throw LabError.unexpectedOutput("meshtrace-run on \(node.name) printed no summary: \(outputs.flatMap(\.notes).suffix(5).joined(separator: " | "))")
        }
        let joined = runner.packets.filter { ($0.hop == "rx" && $0.dst == productpage.ip) || ($0.hop == "tx" && $0.src == productpage.ip) }
        return ProductpageObservation(load: load, atVport: seen[0].filter { $0.isRequest }, atNIC: seen[1].filter { $0.isRequest },
                                      joined: joined, productpage: productpage)
    }

    /// The requests tcpdump saw at the vport that meshtrace joined, by inner 5-tuple and sequence number.
    var detected: Int {
        let keys = Set(joined.map(\.key))
        return atVport.filter { keys.contains($0.key) }.count
    }

    /// rx (NIC → vport) and tx (vport → NIC) latencies in µs of the packets tcpdump saw at both points.
    func tcpdumpLatencies(_ hop: String) -> [Double] {
        let nic = Dictionary(atNIC.map { ($0.key, $0.timestampNs) }, uniquingKeysWith: min)
        return atVport.compactMap { packet in
            guard let atNIC = nic[packet.key] else { return nil }
            let rx = packet.destination == productpage.ip
            guard (hop == "rx") == rx else { return nil }
            return (rx ? Double(packet.timestampNs) - Double(atNIC) : Double(atNIC) - Double(packet.timestampNs)) / 1000
        }
    }

    func meshtraceLatencies(_ hop: String) -> [Double] {
        joined.filter { $0.hop == hop }.map { Double($0.latencyNs) / 1000 }
    }

    /// Byte offset of the trace context's header line in each request productpage's vport saw.
    var contextOffsets: [Int] {
        atVport.compactMap { request in
            let text = String(decoding: request.payload, as: UTF8.self).lowercased()
            let names = ["\r\ntraceparent:", "\r\nx-b3-traceid:", "\r\nb3:"]
            return names.compactMap { text.range(of: $0) }.map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) + 2 }.min()
        }
    }
}

extension CapturedRequest {
    /// The first segment of a request (not a response, which carries no context in this mesh anyway).
    var isRequest: Bool { payload.starts(with: Array("GET ".utf8)) || payload.starts(with: Array("POST ".utf8)) }
}

extension PacketRecord {
    /// The joined packet's identity, as `CapturedRequest.key` spells it: inner 5-tuple and sequence number.
    public var key: String { "\(src ?? ""):\(sport ?? 0)>\(dst ?? ""):\(dport ?? 0)/\(seq ?? 0)" }
}
