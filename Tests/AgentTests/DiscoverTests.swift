import Foundation
import Lab
import Runner
import XCTest

/// `meshtrace-run --discover` on both nodes of the testbed: it attaches exactly at each node's
/// NIC and its pods' vports, joins both hops, follows a pod that comes and goes, and leaves
/// nothing attached.
final class DiscoverTests: AgentTestCase {
    func testAttachesExactlyTheNICAndTheVportsJoinsBothHopsAndLeavesNothing() throws {
        let tracing = TracingRun(testbed: testbed)
        let started = Date()
        try tracing.start(object: object, points: .discover)
        let ready = Date().timeIntervalSince(started)
        var attachedWhileRunning: [String: [String: [String: String]]] = [:]
        for node in topology.nodes { attachedWhileRunning[node.name] = try attachedInterfaces(node) }
        let sent = try testbed.sendRequests(count: 20, placement: .fixed)
        XCTAssertEqual(sent.failures, [])
        let outputs = Dictionary(uniqueKeysWithValues: tracing.stop().map { ($0.node, $0) })

        for node in topology.nodes {
            let output = try XCTUnwrap(outputs[node.name])
            print("--discover on \(node.name) (\(node.namespace)):\n  " + output.notes.filter { $0.hasPrefix("scan ") }.joined(separator: "\n  "))
            var expected = [node.nic: "nic"]
            for pod in topology.pods(on: node) { expected[pod.vport] = "vport" }
            XCTAssertEqual(Self.attachNotes(output.notes), expected, "\(node.name): the runner's notes")
            let both = ["ingress": "mt_ingress", "egress": "mt_egress"]
            XCTAssertEqual(attachedWhileRunning[node.name], expected.mapValues { _ in both }, "\(node.name): tc filter show while it ran")
            XCTAssertEqual(try attachedInterfaces(node), [:], "\(node.name): nothing attached after it exited")
            let vportNote = try XCTUnwrap(output.notes.first { $0.contains("attached vport at \(topology.pods(on: node)[0].vport)") })
            XCTAssertTrue(vportNote.contains("netns \(topology.pods(on: node)[0].namespace), \(topology.pods(on: node)[0].ip)"), vportNote)
        }
        for (hop, node) in [("tx", topology.node1), ("rx", topology.node2)] {
            let joined = Set(try XCTUnwrap(outputs[node.name]).packets.filter { $0.hop == hop }.compactMap(\.traceId))
            XCTAssertTrue(Set(sent.traceIDs).isSubset(of: joined), "\(hop) on \(node.name): \(Set(sent.traceIDs).subtracting(joined).count) of \(sent.requests.count) requests not joined")
        }
        print(String(format: "--discover: both runners attached %.2f s after they were started (load, first scan, attach)", ready))
    }

    func testAPodThatComesIsAttachedAndOneThatGoesIsReleasedWithinTwoScans() throws {
        let node = topology.node2
        let tracing = TracingRun(testbed: testbed)
        // -v: every scan is a note, so the test counts scans rather than seconds.
        try tracing.start(object: object, points: .discover, extraArguments: ["-v"])
        let runner = try XCTUnwrap(tracing.runners.first { $0.node == node }).process
        try runner.waitForOutput(containing: "scan 2:", timeout: 10)

        let pod = try testbed.addPod(index: 4, on: node, host: 40)
        let added = (scan: lastScan(runner.output()), at: Date())
        try runner.waitForOutput(containing: "attached vport at \(pod.vport)", timeout: 10)
        let attachedAfter = Date().timeIntervalSince(added.at)
        let attachNote = try XCTUnwrap(runner.output().split(separator: "\n").first { $0.contains("attached vport at \(pod.vport)") })
        XCTAssertTrue(attachNote.contains("netns \(pod.namespace), \(pod.ip)"), String(attachNote))
        let attachScan = try XCTUnwrap(Self.scanNumber(attachNote))
        XCTAssertTrue((added.scan + 1...added.scan + 2).contains(attachScan), "wired after scan \(added.scan), attached by scan \(attachScan)")
        XCTAssertEqual(try filters(node, pod.vport), ["ingress": "mt_ingress", "egress": "mt_egress"])
        let lock = try lockFile(node, pod.vport)
        XCTAssertFalse(try isFree(lock), "the runner holds \(lock)")

        try testbed.removePod(pod)
        let removed = (scan: lastScan(runner.output()), at: Date())
        try runner.waitForOutput(containing: "interface \(pod.vport) vanished; released", timeout: 10)
        let releasedAfter = Date().timeIntervalSince(removed.at)
        let releaseNote = try XCTUnwrap(runner.output().split(separator: "\n").first { $0.contains("\(pod.vport) vanished") })
        let releaseScan = try XCTUnwrap(Self.scanNumber(releaseNote))
        XCTAssertTrue((removed.scan + 1...removed.scan + 2).contains(releaseScan), "removed after scan \(removed.scan), released by scan \(releaseScan)")
        XCTAssertTrue(try isFree(lock), "\(lock) released with the vport")
        XCTAssertTrue(runner.isRunning, "the runner goes on")

        let outputs = tracing.stop()
        XCTAssertEqual(try attachedInterfaces(node), [:])
        let timings = outputs.first { $0.node == node.name }?.notes.filter { $0.hasPrefix("scan ") && $0.contains(" ms") }.compactMap { $0.split(separator: ",").last } ?? []
        print(String(format: "--discover: a new pod's vport attached %.2f s after it was wired (scan %d after %d), a removed one released %.2f s after (scan %d after %d); scan times: %@",
                     attachedAfter, attachScan, added.scan, releasedAfter, releaseScan, removed.scan, timings.joined(separator: ",")))
    }

    private func lastScan(_ output: String) -> Int {
        output.split(separator: "\n").compactMap(Self.scanNumber).max() ?? 0
    }

    /// The runner's per-interface lock (InterfaceLock: /run/meshtrace/<netns inode>-<ifname>.lock).
    private func lockFile(_ node: Node, _ interface: String) throws -> String {
        var info = stat()
        guard stat("/run/netns/\(node.namespace)", &info) == 0 else { throw XCTSkip("cannot stat \(node.namespace)") }
        return "/run/meshtrace/\(info.st_ino)-\(interface).lock"
    }

    private func isFree(_ lock: String) throws -> Bool {
        try Command.run(["flock", "--nonblock", lock, "true"]).succeeded
    }
}
