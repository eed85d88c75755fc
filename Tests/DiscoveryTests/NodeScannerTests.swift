import Discovery
import Foundation
import XCTest

/// Discovery on real namespaces: a node with a VXLAN device on a veth NIC, Calico-like and plain
/// veth pods, one pod held only by a process.
final class NodeScannerTests: XCTestCase {
    private var lab: DiscoveryLab?

    override func setUpWithError() throws {
        guard Root.isRoot else { throw XCTSkip("needs root to create network namespaces") }
    }

    override func tearDown() {
        lab?.tearDown()
        lab = nil
    }

    private func makeLab(pods: Int) throws -> DiscoveryLab {
        let lab = try DiscoveryLab()
        self.lab = lab
        for index in 0..<pods { try lab.addPod(calico: index % 2 == 0) }
        try lab.addUnnamedPod()
        return lab
    }

    func testFindsExactlyTheNICAndTheVportsEachMappedToItsNamespace() throws {
        let lab = try makeLab(pods: 4)
        let inventory = try NodeScanner(node: .named(lab.node)).scan()
        print("discovered in \(lab.node):\n  nic \(inventory.nic)\n" + inventory.vports.map { "  vport \($0)" }.joined(separator: "\n"))

        XCTAssertEqual(inventory.nic.interface.name, "eth0")
        XCTAssertEqual(inventory.nic.overlays.map(\.name), ["flannel.1"])
        XCTAssertEqual(Set(inventory.vports.map(\.interface.name)), Set(lab.pods.map(\.vport)))
        XCTAssertEqual(inventory.vports.count, lab.pods.count)
        XCTAssertEqual(inventory.problems, [])
        for pod in lab.pods {
            let vport = try XCTUnwrap(inventory.vports.first { $0.interface.name == pod.vport })
            let namespace = try XCTUnwrap(vport.namespace, "\(pod.vport) has no namespace")
            XCTAssertEqual(namespace.inode, NamespaceInode.of(pod.netnsPath), pod.vport)
            XCTAssertEqual(namespace.names, pod.namespace.map { [$0] } ?? [], pod.vport)
            XCTAssertEqual(namespace.pids, [pod.sleeper!.processIdentifier], pod.vport)
            XCTAssertEqual(namespace.peerInterface, "eth0")
            XCTAssertEqual(namespace.addresses, [InterfaceAddress(address: pod.address, prefixLength: 32)], pod.vport)
            XCTAssertEqual(inventory.vport(holding: pod.address)?.interface.name, pod.vport)
        }
        XCTAssertTrue(lab.pods.contains { $0.vport.hasPrefix("cali") && $0.vport.count == 15 })
        XCTAssertTrue(lab.pods.contains { $0.namespace == nil })
    }

    func testAPodAddedAndOneRemovedShowUpInTheDiff() throws {
        let lab = try makeLab(pods: 3)
        let scanner = NodeScanner(node: .named(lab.node))
        let before = try scanner.scan()
        let gone = lab.pods[1].vport
        try lab.removePod(gone)
        let added = try lab.addPod(calico: true)
        let unnamedAdded = try lab.addUnnamedPod()
        let after = try scanner.scan()
        let diff = after.diff(from: before)

        XCTAssertEqual(Set(diff.appeared.map(\.interface.name)), [added.vport, unnamedAdded.vport])
        XCTAssertEqual(diff.vanished.map(\.interface.name), [gone])
        XCTAssertEqual(diff.changed, [])
        XCTAssertNil(diff.nicChanged)
        XCTAssertEqual(diff.appeared.first { $0.interface.name == added.vport }?.namespace?.addresses.map(\.address), [added.address])
        XCTAssertEqual(diff.appeared.first { $0.interface.name == unnamedAdded.vport }?.namespace?.pids, [unnamedAdded.sleeper!.processIdentifier])
        XCTAssertTrue(try scanner.scan().diff(from: after).isEmpty)
    }

    func testTheDefaultRouteDeviceIsTheNICWhenTheTunnelRoutesPerPacket() throws {
        // cilium_vxlan is made in metadata mode: no `dev`, the route decides per packet.
        let lab = try DiscoveryLab(overlay: ["type", "vxlan", "external", "dstport", "8472"], overlayName: "cilium_vxlan")
        self.lab = lab
        try lab.addPod(calico: false)
        let inventory = try NodeScanner(node: .named(lab.node)).scan()
        XCTAssertEqual(inventory.nic.interface.name, "eth0")
        XCTAssertEqual(inventory.nic.overlays, [])
        XCTAssertTrue(inventory.nic.reason.contains("cilium_vxlan"), inventory.nic.reason)
        XCTAssertEqual(inventory.vports.map(\.interface.name), lab.pods.map(\.vport))
    }

    func testScanTimeOnTenPods() throws {
        let lab = try makeLab(pods: 9)
        let scanner = NodeScanner(node: .named(lab.node))
        let coldStart = Date()
        let first = try scanner.scan()
        let cold = Date().timeIntervalSince(coldStart)
        XCTAssertEqual(first.vports.count, 10)
        var times: [TimeInterval] = []
        for _ in 0..<20 {
            let start = Date()
            XCTAssertEqual(try scanner.scan().vports.count, 10)
            times.append(Date().timeIntervalSince(start))
        }
        let median = times.sorted()[times.count / 2]
        print(String(format: "scan() on 10 pods: first (cold) %.1f ms, median of 20 warm %.1f ms (min %.1f, max %.1f)", cold * 1000, median * 1000, times.min()! * 1000, times.max()! * 1000))
    }

    func testANewPodShowsUpAtTheFirstRescanAfterItIsWired() throws {
        let lab = try makeLab(pods: 2)
        let scanner = NodeScanner(node: .named(lab.node))
        var known = try scanner.scan()
        let pod = try lab.addPod(calico: true)
        let wired = Date()
        var scans = 0, seen: Date?
        // The runner's loop: a scan every second, acting on the diff.
        while seen == nil, scans < 5 {
            Thread.sleep(forTimeInterval: 1)
            let now = try scanner.scan()
            scans += 1
            if now.diff(from: known).appeared.contains(where: { $0.interface.name == pod.vport && $0.namespace?.addresses.isEmpty == false }) {
                seen = Date()
            }
            known = now
        }
        let latency = try XCTUnwrap(seen, "the new pod was not found in 5 rescans").timeIntervalSince(wired)
        print(String(format: "new pod found %.2f s after its veth was wired, by rescan %d (1 s rescan)", latency, scans))
        XCTAssertEqual(scans, 1, "found only by rescan \(scans)")
    }
}
