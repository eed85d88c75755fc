import Foundation
import Lab
import PacketKit
import TestSupport
import XCTest

/// Requests whose header block spans several TCP segments, on the two-node VXLAN testbed: the
/// context after byte 1500, 3000 and 5000 of 2–6 KB blocks (Istio metadata before it, cookies
/// after). With GRO, GSO and TSO off on every device each segment crosses the points on its own;
/// with them on the points may see the request coalesced. Either way every request tcpdump saw
/// at both points of a hop is joined exactly once, keyed on its first byte's sequence number.
final class SplitRequestTests: XCTestCase {
    var testbed: Testbed!

    static let contextOffsets = [1500, 3000, 5000]
    static let requestsPerOffset = 10
    /// Istio's sidecar metadata (base64 of its node's labels), before the padding.
    static let istio = "x-envoy-peer-metadata-id: sidecar~198.19.1.2~pod1.default~default.svc.cluster.local\r\n"
        + "x-envoy-peer-metadata: " + String(repeating: "ChoKDkFQUF9DT05UQUlORVJTEggaBnNlcnZlcgoaCgpDTFVTVEVSX0lEEgwaCkt1YmVybmV0ZXM", count: 6) + "\r\n"
        + "x-request-id: 6c1c3f0e-8f6e-4d3a-9d55-1b2a3c4d5e6f\r\nx-forwarded-proto: http\r\n"
    /// Cookies after the context: the block goes on for another ~700 bytes.
    static let cookies = (1...7).map { "Cookie: session\($0)=" + String(repeating: "c0ffee\($0)", count: 12) + "\r\n" }.joined()

    override func setUpWithError() throws {
        try Generated.requireRoot()
        testbed = try Testbed(prefix: "mtseg")
        try testbed.up()
    }

    override func tearDownWithError() throws {
        try testbed?.down()
    }

    func testSplitRequestsWithOffloadsOff() throws {
        for (namespace, interface) in testbed.topology.interfaces {
            try testbed.run(in: namespace, "ethtool", ["-K", interface, "gro", "off", "gso", "off", "tso", "off"]).check()
        }
        let split = try joinEveryRequest(label: "offloads off")
        XCTAssertGreaterThan(split, 0, "with offloads off some contexts were found past a request's first segment")
    }

    func testSplitRequestsWithOffloadsOn() throws {
        _ = try joinEveryRequest(label: "offloads on")
    }

    /// Sends the requests, checks the joins against tcpdump on both hops; returns how many joined
    /// packets had their context in a later segment than the request's first.
    func joinEveryRequest(label: String) throws -> Int {
        let object = try Generated.output(.init(spec: "mesh", window: 8192, placement: .anywhere, profile: .unrolled)).object.path
        let topology = testbed.topology
        let (node1, node2) = (topology.node1, topology.node2)
        let captures = try HopCaptures.start(testbed)
        let tracing = TracingRun(testbed: testbed)
        try tracing.start(object: object)
        var sent: [SentRequest] = []
        for offset in Self.contextOffsets {
            let report = try testbed.sendRequests(count: Self.requestsPerOffset, placement: .anywhere, padding: offset,
                                                  extra: Self.istio, trailer: Self.cookies)
            XCTAssertTrue(report.failures.isEmpty, "\(report.failures)")
            sent += report.requests
        }
        let outputs = tracing.stop()
        var seen: [String: [CapturedRequest]] = [:]
        var largest: [String: Int] = [:]
        var dropped: [String] = []
        for (name, capture) in captures.sorted(by: { $0.key < $1.key }) {
            _ = try capture.stop(keepFile: true)
            dropped.append("\(name) \(capture.droppedByKernel.map(String.init) ?? "?")")
            seen[name] = try CapturedRequests.reassembled(capture.file.path)
            largest[name] = try CapturedRequests.segments(capture.file.path).map(\.payload.count).max() ?? 0
            try? FileManager.default.removeItem(at: capture.file)
        }
        let lengths = sent.map(\.length)
        print("split \(label): \(sent.count) requests of \(lengths.min() ?? 0)–\(lengths.max() ?? 0) B, contexts at \(Self.contextOffsets); "
              + "largest TCP payload tcpdump saw: \(largest.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value) B" }.joined(separator: ", ")); "
              + "dropped by the kernel, as tcpdump says: \(dropped.joined(separator: ", "))")
        let runners = Dictionary(uniqueKeysWithValues: outputs.map { ($0.node, $0) })
        var later = 0
        for (hop, node) in [("rx", node2.name), ("tx", node1.name)] {
            let from = try XCTUnwrap(seen["\(hop)-from"]), to = try XCTUnwrap(seen["\(hop)-to"])
            let expected = Set(from.map { "\($0.sequence)/\($0.traceId)" }).intersection(to.map { "\($0.sequence)/\($0.traceId)" })
            XCTAssertEqual(expected.count, sent.count,
                           "\(hop): tcpdump saw every request at both points (packets it says the kernel dropped: \(dropped.joined(separator: ", ")))")
            XCTAssertEqual(Set(expected.map { String($0.split(separator: "/")[1]) }), Set(sent.map(\.context.traceId)), "\(hop): the requests sent")
            let output = try XCTUnwrap(runners[node])
            let joined = output.packets.filter { $0.hop == hop }
            let keys = joined.map { "\($0.seq.map(String.init) ?? "-")/\($0.traceId ?? "")" }
            XCTAssertEqual(keys.count, Set(keys).count, "\(hop): no request joined twice")
            XCTAssertEqual(Set(keys), expected, "\(hop): the runner joined exactly the requests tcpdump saw at both points")
            let offsets = joined.compactMap(\.segmentOffset)
            later += offsets.filter { $0 > 0 }.count
            let kernel = output.summary?.kernel ?? [:]
            let counters = ["segments_held", "segments_resumed", "requests_closed", "requests_timed_out", "requests_gap"]
                .map { "\($0) \(kernel[$0] ?? 0)" }.joined(separator: ", ")
            print("split \(label) \(hop): tcpdump saw \(expected.count) request(s) at both points, the runner joined \(keys.count) "
                  + "(\(expected.isEmpty ? 0 : 100 * Set(keys).intersection(expected).count / expected.count) %), "
                  + "\(offsets.filter { $0 > 0 }.count) with the context past the first segment; \(node) kernel: \(counters)")
        }
        return later
    }
}
