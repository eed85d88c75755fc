import Foundation
import Lab
import TestSupport
import XCTest

/// What `--discover` refuses, and why it says so.
final class DiscoverUsageTests: XCTestCase {
    private func run(_ arguments: [String]) throws -> CommandResult {
        try Command.run([try TracingRun.executable("meshtrace-run"), Generated.packageRoot.appendingPathComponent("generated/mesh.bpf.o").path] + arguments)
    }

    private func assertRefused(_ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run(arguments)
        XCTAssertEqual(result.status, 1, file: file, line: line)
        XCTAssertEqual(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines), message, file: file, line: line)
    }

    func testFlagsThatNeedDiscoverOrContradictIt() throws {
        try assertRefused(["--discover", "--point", "nic=eth0"], "error: --discover finds the points itself; leave out --point (or drop --discover to attach only where --point says)")
        try assertRefused(["--point", "nic=eth0", "--trace-service", "default/web:http"], "error: --trace-service needs --discover")
        try assertRefused(["--point", "nic=eth0", "--kubeconfig", "/nonexistent"], "error: --kubeconfig needs --discover")
        try assertRefused(["--discover", "--discover-map", "nic=a,nic=b"], "error: --discover-map takes nic=POINT,vport=POINT (the spec's point names), not 'nic=a,nic=b'")
        try assertRefused(["--discover", "--replay", "x.pcap"], "error: --replay runs captures offline; it attaches nowhere, so it takes no --discover")
        try assertRefused(["--discover", "--kube-proxy-mode", "ipvs"], "error: --kube-proxy-mode is iptables or nftables, not 'ipvs'")
    }

    func testAMissingNICOrPointIsAClearError() throws {
        try Generated.requireRoot()
        let namespace = "mtdsc" + String(UInt32.random(in: 0...0xfffff), radix: 36) + "-empty"
        try Command.run(["ip", "netns", "add", namespace]).check()
        defer { _ = try? Command.run(["ip", "netns", "delete", namespace]) }
        // Foundation's Process needs loopback up to watch its children (CFSocket's wakeup pair), as in every real namespace.
        try Command.run(["ip", "-n", namespace, "link", "set", "lo", "up"]).check()
        try assertRefused(["--discover", "--netns", namespace, "--duration", "1"], "error: discovery: no NIC found: no tunnel device, and no IPv4 default route")
        try assertRefused(["--discover", "--netns", namespace, "--discover-map", "nic=uplink,vport=vport"],
                          "error: --discover attaches point 'uplink' at the NIC and 'vport' at the vports, but spec mesh has no point 'uplink' (it has nic, vport): say which is which with --discover-map nic=POINT,vport=POINT")
    }
}
