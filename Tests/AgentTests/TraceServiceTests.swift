import Foundation
import Lab
import Runner
import XCTest

/// `--trace-service`: kube-proxy-shaped NAT rules (iptables-restore, the layout of
/// Tests/DiscoveryTests/Fixtures/iptables) in both nodes' namespaces send Service default/web
/// to one lab pod; only that pod's traffic is traced, and rewriting the rules moves the tracing.
final class TraceServiceTests: AgentTestCase {
    static let clusterIP = "198.18.128.80"

    /// kube-proxy's nat table for `default/web:http` (ClusterIP 198.18.128.80:80) with one endpoint.
    private func rules(endpoint pod: Pod) -> String {
        let endpoint = "\(pod.ip):\(topology.httpPort)"
        return """
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :KUBE-SERVICES - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            :KUBE-SVC-WEBHTTP7LABSVC0 - [0:0]
            :KUBE-SEP-WEBHTTP7LABSEP0 - [0:0]
            -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
            -A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d \(Self.clusterIP) --dport 80 -j KUBE-SVC-WEBHTTP7LABSVC0
            -A KUBE-SVC-WEBHTTP7LABSVC0 -m comment --comment "default/web:http -> \(endpoint)" -j KUBE-SEP-WEBHTTP7LABSEP0
            -A KUBE-SEP-WEBHTTP7LABSEP0 -m comment --comment default/web:http -s \(pod.ip) -j KUBE-MARK-MASQ
            -A KUBE-SEP-WEBHTTP7LABSEP0 -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination \(endpoint)
            COMMIT

            """
    }

    private func install(endpoint pod: Pod) throws {
        for node in topology.nodes {
            try testbed.run(in: node.namespace, "iptables-restore", [], input: Data(rules(endpoint: pod).utf8)).check()
        }
    }

    /// Sends requests to pod2 and to pod3; the trace ids each got.
    private func round() throws -> (pod2: Set<String>, pod3: Set<String>) {
        let toPod2 = try testbed.sendRequests(count: 10, placement: .fixed, to: topology.pod2)
        let toPod3 = try testbed.sendRequests(count: 10, placement: .fixed, to: topology.pod3)
        XCTAssertEqual(toPod2.failures + toPod3.failures, [])
        return (Set(toPod2.traceIDs), Set(toPod3.traceIDs))
    }

    func testOnlyTheServicesPodIsTracedAndTheTracingMovesWithTheRules() throws {
        guard (try? ProgramLookup.path("iptables-restore")) != nil else { throw XCTSkip("iptables is not installed (bash .ci/setup installs it)") }
        try install(endpoint: topology.pod2)
        let tracing = TracingRun(testbed: testbed)
        try tracing.start(object: object, points: .discover, extraArguments: ["--trace-service", "default/web:http"])
        let first = try round()

        try install(endpoint: topology.pod3)
        let moved = Date()
        for (_, runner) in tracing.runners {
            try runner.waitForOutput(containing: "trace-service default/web:http: \(Self.clusterIP):80/tcp -> [\(topology.pod3.ip):\(topology.httpPort)]", timeout: 10)
        }
        let movedAfter = Date().timeIntervalSince(moved)
        let second = try round()
        let outputs = Dictionary(uniqueKeysWithValues: tracing.stop().map { ($0.node, $0) })

        for (hop, node) in [("tx", topology.node1), ("rx", topology.node2)] {
            let output = try XCTUnwrap(outputs[node.name])
            let traced = Set(output.packets.filter { $0.hop == hop }.compactMap(\.traceId))
            XCTAssertEqual(first.pod2.subtracting(traced), [], "\(hop): pod2 is the Service's endpoint: all traced")
            XCTAssertEqual(first.pod3.intersection(traced), [], "\(hop): pod3 is not: none traced")
            XCTAssertEqual(second.pod3.subtracting(traced), [], "\(hop): after the rules moved, pod3's traffic is traced")
            XCTAssertEqual(second.pod2.intersection(traced), [], "\(hop): and pod2's no longer")
            XCTAssertTrue(output.notes.contains { $0.contains("table trace_filter now holds 2 entries (+1, -1)") }, "\(output.notes)")
            XCTAssertTrue(Set(output.packets.compactMap(\.dst)).isSubset(of: [topology.pod2.ip, topology.pod3.ip]))
        }
        print(String(format: "--trace-service: the runners moved the table to pod3 %.2f s after the rules changed", movedAfter))
    }
}
