import Foundation
import Lab
import Runner
import Subprocess
import TestSupport
import XCTest

/// Pod and Service names on the runner's packets, from the recorded API-server responses
/// (Tests/DiscoveryTests/Fixtures/kubernetes) served per node with the lab's pod IPs: only
/// recorded responses, never a live API server.
final class NamesTests: AgentTestCase {
    private var servers: [FixtureAPIServer] = []
    private var files: [URL] = []

    override func tearDownWithError() throws {
        servers.forEach { $0.stop() }
        for file in files { try? FileManager.default.removeItem(at: file) }
        try super.tearDownWithError()
    }

    static let fixtures = Generated.packageRoot.appendingPathComponent("Tests/DiscoveryTests/Fixtures/kubernetes")
    static let recordedPod = "nginx-app-o0kvl", recordedIP = "198.19.1.2", recordedNode = "mtdisc-node1"

    /// The recorded pod list and EndpointSlice with this node's pod in them: node1 has the recorded
    /// pod at pod1's IP (which the recording's IP already is), node2 a renamed copy at pod2's IP;
    /// the Service `default/example`'s endpoint is pod2.
    private func fixtures(for node: Node) throws -> (pods: Data, slices: Data, pod: String) {
        let pod = topology.pods(on: node)[0]
        let name = node == topology.node1 ? Self.recordedPod : Self.recordedPod + "-n2"
        let pods = try String(contentsOf: Self.fixtures.appendingPathComponent("pods-relist.json"), encoding: .utf8)
            .replacingOccurrences(of: Self.recordedPod, with: name).replacingOccurrences(of: Self.recordedIP, with: pod.ip)
            .replacingOccurrences(of: Self.recordedNode, with: node.name)
        let slices = try String(contentsOf: Self.fixtures.appendingPathComponent("endpointslices-list.json"), encoding: .utf8)
            .replacingOccurrences(of: Self.recordedIP, with: topology.server.ip).replacingOccurrences(of: Self.recordedNode, with: topology.node2.name)
        return (Data(pods.utf8), Data(slices.utf8), "default/\(name)")
    }

    /// A fixture API server listening on 127.0.0.1 inside the node's namespace, where its runner is.
    private func server(for node: Node, pods: Data, slices: Data) throws -> FixtureAPIServer {
        nonisolated(unsafe) var made: Result<FixtureAPIServer, Error>?
        let done = DispatchSemaphore(value: 0)
        // setns changes only the calling thread; the listening socket stays in the namespace it was made in.
        let thread = Thread {
            made = Result {
                try NetworkNamespace(node.namespace).enter()
                return try FixtureAPIServer { request, _ in
                    switch (request.path, request.isWatch) {
                    case ("/api/v1/pods", false): .body(status: 200, pods)
                    case ("/apis/discovery.k8s.io/v1/endpointslices", false): .body(status: 200, slices)
                    default: .stream([.holdOpen])
                    }
                }
            }
            done.signal()
        }
        thread.start()
        done.wait()
        let server = try XCTUnwrap(made).get()
        servers.append(server)
        return server
    }

    private func kubeconfig(_ server: FixtureAPIServer, node: Node) throws -> String {
        let config: [String: Any] = [
            "apiVersion": "v1", "kind": "Config", "current-context": "lab",
            "contexts": [["name": "lab", "context": ["cluster": "lab", "user": "lab"]]],
            "clusters": [["name": "lab", "cluster": ["server": server.url.absoluteString]]],
            "users": [["name": "lab", "user": ["token": "fixture-token"]]],
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(topology.prefix)-\(node.name)-kubeconfig.json")
        try JSONSerialization.data(withJSONObject: config).write(to: file)
        files.append(file)
        return file.path
    }

    /// Runners on both nodes, each with its own node's fixture server, once both have listed pods and slices.
    private func startNamedRunners(extraArguments: [String] = []) throws -> (tracing: TracingRun, pods: [String: String], servers: [String: FixtureAPIServer]) {
        var kubeconfigs: [String: String] = [:], podNames: [String: String] = [:], servedBy: [String: FixtureAPIServer] = [:]
        for node in topology.nodes {
            let fixture = try fixtures(for: node)
            let server = try server(for: node, pods: fixture.pods, slices: fixture.slices)
            kubeconfigs[node.name] = try kubeconfig(server, node: node)
            podNames[node.name] = fixture.pod
            servedBy[node.name] = server
        }
        let tracing = TracingRun(testbed: testbed)
        try tracing.start(object: object, points: .discover, extraArguments: extraArguments) { node in
            ["--kubeconfig", kubeconfigs[node.name]!, "--node-name", node.name]
        }
        for (_, runner) in tracing.runners {
            try runner.waitForOutput(containing: "kubernetes: pods listed (1)", timeout: 10)
            try runner.waitForOutput(containing: "kubernetes: endpointslices listed (1)", timeout: 10)
        }
        return (tracing, podNames, servedBy)
    }

    func testPacketsCarryPodAndServiceNames() throws {
        let (tracing, podNames, servedBy) = try startNamedRunners()
        let sent = try testbed.sendRequests(count: 10, placement: .fixed)
        XCTAssertEqual(sent.failures, [])
        let outputs = Dictionary(uniqueKeysWithValues: tracing.stop().map { ($0.node, $0) })

        let node1Pod = try XCTUnwrap(podNames[topology.node1.name]), node2Pod = try XCTUnwrap(podNames[topology.node2.name])
        // tx on node1: pod1 is this node's (named), pod2 is node2's (only its Service is known here).
        let tx = try XCTUnwrap(outputs[topology.node1.name]).packets.filter { $0.hop == "tx" && sent.traceIDs.contains($0.traceId ?? "") }
        XCTAssertEqual(tx.count, sent.requests.count)
        for packet in tx {
            XCTAssertEqual(packet.srcPod, node1Pod)
            XCTAssertEqual(packet.pod, node1Pod, "the vport's pod")
            XCTAssertNil(packet.dstPod, "pod2 runs on node2; node1's agent lists its own node's pods")
            XCTAssertEqual(packet.dstService, "default/example")
            XCTAssertNil(packet.srcService)
        }
        let rx = try XCTUnwrap(outputs[topology.node2.name]).packets.filter { $0.hop == "rx" && sent.traceIDs.contains($0.traceId ?? "") }
        XCTAssertEqual(rx.count, sent.requests.count)
        for packet in rx {
            XCTAssertEqual(packet.dstPod, node2Pod)
            XCTAssertEqual(packet.pod, node2Pod)
            XCTAssertEqual(packet.dstService, "default/example")
            XCTAssertNil(packet.srcPod)
        }
        print("names: tx " + (tx.first.map { String(decoding: try! RecordCoding.encoder.encode($0), as: UTF8.self) } ?? "-"))
        print("names: rx " + (rx.first.map { String(decoding: try! RecordCoding.encoder.encode($0), as: UTF8.self) } ?? "-"))
        for node in topology.nodes {
            let requests = try XCTUnwrap(servedBy[node.name]).requests.filter { $0.path == "/api/v1/pods" }
            XCTAssertTrue(requests.allSatisfy { $0.query["fieldSelector"] == "spec.nodeName%3D\(node.name)" }, "\(requests.map(\.target))")
            XCTAssertTrue(requests.allSatisfy { $0.headers["authorization"] == "Bearer fixture-token" })
        }
    }

    /// The names reach where people look: each node's runner exports to a real OTLP collector
    /// (rotel, in the node's namespace) and serves /metrics; the vport's pod is on the spans
    /// (k8s.pod.name, with its Service) and labels the latency histogram.
    func testSpansAndMetricsCarryThePodsName() throws {
        _ = try Programs.rotel()
        var collectors: [String: RotelCollector] = [:]
        defer { collectors.values.forEach { $0.stop() } }
        for node in topology.nodes { collectors[node.name] = try RotelCollector(httpPort: 4318, namespace: node.namespace) }
        let (tracing, podNames, _) = try startNamedRunners(extraArguments: ["--otlp-endpoint", "http://127.0.0.1:4318",
                                                                             "--metrics-address", "127.0.0.1:9464"])
        let sent = try testbed.sendRequests(count: 5, placement: .fixed)
        XCTAssertEqual(sent.failures, [])
        Thread.sleep(forTimeInterval: 2.5)  // the runner publishes its totals every second
        var metrics: [String: String] = [:]
        for node in topology.nodes {
            metrics[node.name] = try Command.run(["ip", "netns", "exec", node.namespace, "curl", "-sf", "http://127.0.0.1:9464/metrics"]).check().stdout
        }
        _ = tracing.stop()
        for node in topology.nodes {
            let qualified = try XCTUnwrap(podNames[node.name]).split(separator: "/").map(String.init)
            let spans = try XCTUnwrap(collectors[node.name]).waitForSpans(sent.requests.count).filter { sent.traceIDs.contains($0.traceId) }
            XCTAssertEqual(spans.count, sent.requests.count, "\(node.name): a span per request")
            for span in spans {
                XCTAssertEqual(span.attributes["k8s.pod.name"], "Str(\(qualified[1]))", "\(node.name) \(span.name)")
                XCTAssertEqual(span.attributes["k8s.namespace.name"], "Str(\(qualified[0]))")
            }
            // pod2 (node2) backs default/example: its rx spans name the Service.
            if node == topology.node2 { XCTAssertTrue(spans.allSatisfy { $0.attributes["meshtrace.pod.service"] == "Str(default/example)" }) }
            let text = try XCTUnwrap(metrics[node.name])
            XCTAssertTrue(text.split(separator: "\n").contains { $0.hasPrefix("meshtrace_hop_latency_seconds_count{") && $0.contains("pod=\"\(qualified[1])\"") },
                          "\(node.name): the histogram is labelled with the vport's pod:\n\(text.split(separator: "\n").filter { $0.contains("_count") }.joined(separator: "\n"))")
        }
    }

    func testEventsAtAVportCarryItsPod() throws {
        let (tracing, podNames, _) = try startNamedRunners(extraArguments: ["--events"])
        let sent = try testbed.sendRequests(count: 3, placement: .fixed)
        XCTAssertEqual(sent.failures, [])
        for output in tracing.stop() {
            let events = output.notes.filter { $0.contains(#""type":"event""#) }.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.filter { sent.traceIDs.contains($0["trace_id"] as? String ?? "") }
            XCTAssertEqual(events.count, 2 * sent.requests.count, "\(output.node): each request at the vport and the NIC")
            for event in events {
                let expected = event["point"] as? String == "vport" ? podNames[output.node] : nil
                XCTAssertEqual(event["pod"] as? String, expected, "\(output.node) \(event["point"] ?? "?")")
            }
        }
    }

    func testWithoutAnAPIServerPacketsCarryAddressesOnly() throws {
        let tracing = TracingRun(testbed: testbed)
        try tracing.start(object: object, points: .discover)
        let sent = try testbed.sendRequests(count: 5, placement: .fixed)
        let outputs = tracing.stop()
        let packets = outputs.flatMap(\.packets).filter { sent.traceIDs.contains($0.traceId ?? "") }
        XCTAssertEqual(packets.count, 2 * sent.requests.count)
        XCTAssertTrue(packets.allSatisfy { $0.srcPod == nil && $0.dstPod == nil && $0.pod == nil && $0.dstService == nil && $0.src != nil })
        XCTAssertTrue(outputs.allSatisfy { $0.notes.contains { $0.contains("no Kubernetes API") } })
    }
}
