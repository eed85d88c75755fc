import Foundation
import Lab
import PacketKit
import Runner
import TestSupport
import XCTest

/// meshtrace-run on both nodes of the mesh against tcpdump on the same interfaces: per hop of the
/// application (gateway → productpage, productpage → details and reviews, reviews → ratings) and per
/// direction (tx on the sender's node, rx on the receiver's), the runner joins at least 99 % of the
/// request packets tcpdump saw at both points: at a 200-byte window with context-first sidecars,
/// and at 2 KiB with stock ones, whose context sits about a kilobyte in.
final class MeshJoinTests: XCTestCase {
    private var watch: MeshWatch?

    override func tearDown() {
        watch?.stop()
        super.tearDown()
    }

    func testProposedFormatAtA200ByteWindow() throws {
        try assertJoins(format: .proposed, object: .init(spec: "mesh", window: 200, placement: .fixed), prefix: "mtm3")
    }

    func testOriginalFormatAtA2KiBWindow() throws {
        try assertJoins(format: .original, object: .init(spec: "mesh", window: 2048, placement: .anywhere), prefix: "mtm4")
    }

    private func assertJoins(format: MeshVariant.Format, object: Generated.Configuration, prefix: String) throws {
        let watch = try MeshWatch(prefix: prefix)
        self.watch = watch
        let path = try Generated.output(object).object.path
        try watch.mesh.up(MeshVariant(format: format))
        _ = try watch.mesh.openLoop(qps: 20, seconds: 0.5)
        let tracing = TracingRun(testbed: watch.mesh.testbed)
        try tracing.start(object: path)
        try watch.startCaptures()
        let load = try watch.mesh.openLoop(qps: 40, seconds: 2)
        XCTAssertEqual(load.failures, [], "every request through the gateway answered 200")
        let outputs = tracing.stop()
        let seen = try watch.stopCaptures()
        let topology = watch.layout.topology
        for (from, to) in [(MeshTopology.Service.gateway, MeshTopology.Service.productpage), (.productpage, .details), (.productpage, .reviews), (.reviews, .ratings)] {
            let sender = watch.layout.pod(from), receiver = watch.layout.pod(to)
            let senderNode = topology.node(of: sender), receiverNode = topology.node(of: receiver)
            XCTAssertNotEqual(senderNode, receiverNode, "\(from) → \(to) crosses the overlay")
            func sent(_ requests: [CapturedRequest]?) -> Set<String> {
                Set((requests ?? []).filter { $0.source == sender.ip && $0.destination == receiver.ip }.map(\.key))
            }
            let points: [(hop: String, node: Node, first: String, second: String)] = [
                ("tx", senderNode, "vport:\(sender.name)", "nic:\(senderNode.name)"),
                ("rx", receiverNode, "nic:\(receiverNode.name)", "vport:\(receiver.name)"),
            ]
            for point in points {
                let expected = sent(seen[point.first]).intersection(sent(seen[point.second]))
                XCTAssertGreaterThanOrEqual(expected.count, load.sent, "\(from) → \(to) \(point.hop): tcpdump saw every request at both points")
                let runner = try XCTUnwrap(outputs.first { $0.node == point.node.name })
                let joined = runner.packets.filter { $0.hop == point.hop }.map(\.key)
                let found = expected.intersection(joined).count
                let rate = expected.isEmpty ? 0 : Double(found) / Double(expected.count)
                print(String(format: "%@ %@ → %@ %@: joined %d of %d (%.1f %%)", format.rawValue, from.rawValue, to.rawValue, point.hop,
                             found, expected.count, rate * 100))
                XCTAssertGreaterThanOrEqual(rate, 0.99, "\(format) \(from) → \(to) \(point.hop): \(found) of \(expected.count) joined")
            }
        }
    }
}
