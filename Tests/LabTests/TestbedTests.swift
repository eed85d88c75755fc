import Foundation
import Lab
import XCTest

/// Brings a real testbed up in network namespaces (root only), with a prefix of its own, and
/// tears it down after each test whatever happened.
final class TestbedTests: XCTestCase {
    var testbed: Testbed!

    override func setUpWithError() throws {
        guard Privileges.isRoot else {
            throw XCTSkip("LabTests need root: network namespaces (run as root: sudo swift test --filter LabTests)")
        }
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let prefix = "mtt" + String((0..<6).map { _ in letters.randomElement()! })
        testbed = try Testbed(prefix: prefix)
        // Torn down in tearDown even when up() or an assertion fails.
        addTeardownBlock { [testbed] in try? testbed?.down() }
        XCTAssertEqual(try testbed.up(), .built)
    }

    override func tearDownWithError() throws {
        guard let testbed else { return }
        try testbed.down()
        XCTAssertTrue(try testbed.status().isAbsent)
    }

    var topology: Topology { testbed.topology }

    func testPod1ReachesPod2ThroughTheOverlay() throws {
        let capture = try PacketCapture(testbed: testbed, namespace: topology.node2.namespace, interface: topology.node2.nic, filter: ["udp", "port", "4789"])
        let report = try testbed.sendRequests(count: 5, placement: .fixed)
        let dump = try capture.stop()

        XCTAssertEqual(report.requests.count, 5)
        XCTAssertEqual(report.failures, [], "requests from pod1 to pod2 failed")
        XCTAssertEqual(report.from, topology.pod1)
        XCTAssertEqual(report.to, topology.pod2)
        XCTAssertEqual(Set(report.traceIDs).count, 5)
        XCTAssertTrue(dump.contains("\(topology.node1.nicAddress)."), "no underlay packets from node1's NIC:\n\(dump)")
        XCTAssertTrue(dump.contains("VXLAN, flags [I] (0x08), vni \(topology.vni)"), "no VXLAN (vni 42) packets on node2's NIC:\n\(dump)")
        XCTAssertTrue(dump.contains("\(topology.pod1.ip)."), "no inner packets from pod1:\n\(dump)")
        for context in report.contexts {
            XCTAssertTrue(dump.contains("traceparent: \(context.traceparent)"), "VXLAN payload on node2's NIC lacks \(context.traceparent)")
        }
    }

    func testPod1ReachesPod3AndPod2ReachesPod1() throws {
        XCTAssertEqual(try testbed.sendRequests(count: 2, placement: .anywhere, to: topology.pod3).failures, [])
        // The way back: node2 to node1's pod subnet (pod1 runs no server, so a refused connection proves the route).
        let back = try testbed.run(in: topology.pod2.namespace, "python3", ["-c", "import socket,sys\ntry:\n socket.create_connection((sys.argv[1], 8080), timeout=2)\nexcept ConnectionRefusedError:\n print('refused')", topology.pod1.ip])
        XCTAssertEqual(back.stdout, "refused\n", back.stderr)
    }

    func testFixedPlacementPutsTraceparentFirstOnTheWire() throws {
        let capture = try PacketCapture(testbed: testbed, namespace: topology.node2.namespace, interface: topology.pod2.vport, filter: ["tcp", "dst", "port", "\(topology.httpPort)"])
        let fixed = try testbed.sendRequests(count: 3, placement: .fixed)
        let anywhere = try testbed.sendRequests(count: 3, placement: .anywhere)
        let dump = try capture.stop()

        XCTAssertEqual(fixed.failures + anywhere.failures, [])
        // tcpdump -A prints CRLF as a newline: the request line, then traceparent.
        for context in fixed.contexts {
            XCTAssertTrue(dump.contains("GET /index.html HTTP/1.1\ntraceparent: \(context.traceparent)\nHost: "), "fixed: traceparent \(context.traceparent) is not the first header on pod2's vport:\n\(dump)")
        }
        for request in anywhere.requests {
            XCTAssertEqual(request.contextOffset, HTTPRequest.defaultPadding)
            let line = "\ntraceparent: \(request.context.traceparent)\n"
            XCTAssertTrue(dump.contains(line), "anywhere: \(request.context.traceparent) missing on pod2's vport")
            XCTAssertFalse(dump.contains("HTTP/1.1" + line), "anywhere: traceparent came first")
        }
        XCTAssertTrue(dump.contains("GET /index.html HTTP/1.1\nHost: \(topology.pod2.ip):\(topology.httpPort)\nUser-Agent"))
    }

    func testUpIsIdempotentAndRepairsAHalfBuiltTestbed() throws {
        let serverPIDs = try host(["ip", "netns", "pids", topology.pod2.namespace])
        let before = try links(in: topology.node2.namespace)
        XCTAssertEqual(try testbed.up(), .alreadyUp)
        XCTAssertEqual(try links(in: topology.node2.namespace), before, "a second up() changed node2's interfaces")
        XCTAssertEqual(try host(["ip", "netns", "pids", topology.pod2.namespace]), serverPIDs, "a second up() restarted pod2's server")
        XCTAssertTrue(try testbed.status().isUp)

        // Break it: remove node2's VXLAN device. up() tears down and rebuilds.
        try testbed.run(in: topology.node2.namespace, "ip", ["link", "delete", topology.node2.overlayDevice]).check()
        let broken = try testbed.status()
        XCTAssertFalse(broken.isUp)
        XCTAssertFalse(broken.isAbsent)
        XCTAssertEqual(try testbed.up(), .rebuilt)
        XCTAssertEqual(try testbed.sendRequests(count: 2, placement: .fixed).failures, [])

        // A lone namespace left over counts as half-built too.
        try testbed.down()
        try host(["ip", "netns", "add", topology.pod3.namespace])
        XCTAssertEqual(try testbed.up(), .rebuilt)
        XCTAssertTrue(try testbed.status().isUp)
    }

    func testDownLeavesNoNamespaceInterfaceOrProcess() throws {
        let serverPIDs = topology.pods.filter(\.serves).flatMap { pod in
            ((try? host(["ip", "netns", "pids", pod.namespace])) ?? "").split(separator: "\n").compactMap { Int32($0) }
        }
        XCTAssertFalse(serverPIDs.isEmpty)
        _ = try PacketCapture(testbed: testbed, namespace: topology.node1.namespace, interface: topology.node1.nic)

        try testbed.down()

        let namespaces = try host(["ip", "netns", "list"])
        for name in topology.namespaces { XCTAssertFalse(namespaces.contains(name), "\(name) left behind") }
        let links = try host(["ip", "-o", "link", "show"])
        XCTAssertFalse(links.contains(topology.prefix), "interfaces left in the root namespace:\n\(links)")
        for pid in serverPIDs { XCTAssertFalse(FileManager.default.fileExists(atPath: "/proc/\(pid)/cmdline") && Self.isRunning(pid), "server \(pid) still running") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: testbed.stateDirectory.path))
        XCTAssertTrue(try testbed.status().isAbsent)
        // A second down() on nothing succeeds.
        try testbed.down()
    }

    func testRunAndStartStayInsideTheTestbed() throws {
        XCTAssertThrowsError(try testbed.run(in: "default", "true")) { XCTAssertEqual($0 as? LabError, .foreignNamespace("default")) }
        let result = try testbed.run(in: topology.pod1.namespace, "ip", ["-o", "-4", "addr", "show", "dev", topology.pod1.interface]).check()
        XCTAssertTrue(result.stdout.contains("inet \(topology.pod1.ip)/24"))
        let sleeper = try testbed.start(in: topology.pod3.namespace, "sleep", ["60"])
        XCTAssertTrue(sleeper.isRunning)
        sleeper.stop()
        XCTAssertFalse(sleeper.isRunning)
    }

    func testLoadRunsWrkAgainstPod2() throws {
        let report = try testbed.load(LoadOptions(duration: 2, connections: 4, threads: 2, placement: .anywhere))
        XCTAssertGreaterThan(report.requests, 0, report.output)
        XCTAssertEqual(report.non2xx, 0, report.output)
        XCTAssertThrowsError(try testbed.load(LoadOptions(duration: 301)))
    }

    private func links(in namespace: String) throws -> String {
        try testbed.run(in: namespace, "ip", ["-o", "link", "show"]).check().stdout
    }

    /// Runs a command outside any testbed namespace (listing only), returning its stdout.
    @discardableResult
    private func host(_ argv: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, argv.joined(separator: " "))
        return String(decoding: data, as: UTF8.self)
    }

    private static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }
}
