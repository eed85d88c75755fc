import Foundation
import Lab
import PacketKit
import TestSupport
import XCTest

/// The runner on the testbed, against tcpdump on the same interfaces: every HTTP request packet
/// tcpdump saw at both points of a hop is joined exactly once, with the same sequence number and
/// trace id, with a positive latency consistent with tcpdump's; nothing stays attached after.
final class TestbedJoinTests: XCTestCase {
    var testbed: Testbed!

    override func setUpWithError() throws {
        try Generated.requireRoot()
        testbed = try Testbed(prefix: "mtjoin")
        try testbed.up()
    }

    override func tearDownWithError() throws {
        try testbed?.down()
    }

    func testJoinsMatchTcpdump() throws {
        let object = try Generated.output(.init(spec: "mesh")).object.path
        let topology = testbed.topology
        let (node1, node2) = (topology.node1, topology.node2)
        let captures = try HopCaptures.start(testbed)
        let tracing = TracingRun(testbed: testbed)
        try tracing.start(object: object)
        let sent = try testbed.sendRequests(count: 30, placement: .fixed)
        XCTAssertTrue(sent.failures.isEmpty, "\(sent.failures)")
        let outputs = tracing.stop()
        var seen: [String: [CapturedRequest]] = [:]
        for (name, capture) in captures {
            _ = try capture.stop(keepFile: true)
            seen[name] = try CapturedRequests.read(capture.file.path)
            try? FileManager.default.removeItem(at: capture.file)
        }
        let runners = Dictionary(uniqueKeysWithValues: outputs.map { ($0.node, $0) })
        for (hop, node) in [("rx", node2.name), ("tx", node1.name)] {
            let from = try XCTUnwrap(seen["\(hop)-from"]), to = try XCTUnwrap(seen["\(hop)-to"])
            let expected = Set(from.map { "\($0.sequence)/\($0.traceId)" }).intersection(to.map { "\($0.sequence)/\($0.traceId)" })
            XCTAssertGreaterThanOrEqual(expected.count, sent.requests.count, "tcpdump saw every request at both \(hop) points")
            let joined = try XCTUnwrap(runners[node]).packets.filter { $0.hop == hop }
            let keys = joined.map { "\($0.seq.map(String.init) ?? "-")/\($0.traceId ?? "")" }
            XCTAssertEqual(keys.count, Set(keys).count, "\(hop): no packet joined twice")
            XCTAssertEqual(Set(keys), expected, "\(hop): the runner joined exactly the packets tcpdump saw at both points")
            let latencies = joined.map(\.latencyNs).sorted()
            print("join \(hop): tcpdump saw \(expected.count) request packet(s) at both points, the runner joined \(keys.count) "
                  + "(\(expected.isEmpty ? 0 : 100 * Set(keys).intersection(expected).count / expected.count) %), "
                  + "median latency \(latencies.isEmpty ? 0 : latencies[latencies.count / 2]) ns")
            for packet in joined {
                XCTAssertGreaterThan(packet.latencyNs, 0)
                let key = "\(packet.seq.map(String.init) ?? "-")/\(packet.traceId ?? "")"
                guard let first = from.first(where: { "\($0.sequence)/\($0.traceId)" == key }),
                      let second = to.first(where: { "\($0.sequence)/\($0.traceId)" == key }) else { continue }
                // tcpdump's taps sit next to tc's hooks, not at them: the two latencies agree within a few ms.
                let tcpdumpLatency = Int(second.timestampNs) - Int(first.timestampNs)
                XCTAssertLessThan(abs(tcpdumpLatency - Int(packet.latencyNs)), 5_000_000, "\(hop) \(key): eBPF \(packet.latencyNs) ns, tcpdump \(tcpdumpLatency) ns")
            }
        }
        try assertNothingAttached()
    }

    /// No tc filter of meshtrace's remains on any testbed interface.
    func assertNothingAttached(file: StaticString = #filePath, line: UInt = #line) throws {
        for (namespace, interface) in testbed.topology.interfaces {
            for direction in ["ingress", "egress"] {
                let filters = try testbed.run(in: namespace, "tc", ["filter", "show", "dev", interface, direction]).stdout
                XCTAssertFalse(filters.contains("mt_"), "\(interface) \(direction) still has \(filters)", file: file, line: line)
            }
        }
    }
}
