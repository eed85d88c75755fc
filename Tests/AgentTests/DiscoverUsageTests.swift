import Foundation
import Lab
import TestSupport
import XCTest

/// What `--discover` refuses, and why it says so.
final class DiscoverUsageTests: XCTestCase {
    private func run(_ arguments: [String], environment: [String: String]? = nil) throws -> CommandResult {
        try Command.run([try TracingRun.executable("meshtrace-run"), Generated.packageRoot.appendingPathComponent("generated/mesh.bpf.o").path] + arguments,
                        environment: environment)
    }

    private func assertRefused(_ arguments: [String], _ message: String, environment: [String: String]? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run(arguments, environment: environment)
        XCTAssertEqual(result.status, 1, file: file, line: line)
        XCTAssertEqual(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines), message, file: file, line: line)
    }

    func testFlagsThatNeedDiscoverOrContradictIt() throws {
        // In a namespace of its own all the same: a runner that wrongly went on would attach nowhere that matters.
        try withEmptyNamespace { namespace in
            let inside = ["--netns", namespace]
            try assertRefused(inside + ["--discover", "--point", "nic=eth0"], "error: --discover finds the points itself; leave out --point (or drop --discover to attach only where --point says)")
            try assertRefused(inside + ["--point", "nic=eth0", "--trace-service", "default/web:http"], "error: --trace-service needs --discover")
            try assertRefused(inside + ["--point", "nic=eth0", "--kubeconfig", "/nonexistent"], "error: --kubeconfig needs --discover")
            try assertRefused(inside + ["--discover", "--discover-map", "nic=a,nic=b"], "error: --discover-map takes nic=POINT,vport=POINT (the spec's point names), not 'nic=a,nic=b'")
            try assertRefused(inside + ["--discover", "--replay", "x.pcap"], "error: --replay runs captures offline; it attaches nowhere, so it takes no --discover")
            try assertRefused(inside + ["--discover", "--kube-proxy-mode", "ipvs"], "error: --kube-proxy-mode is iptables or nftables, not 'ipvs'")
        }
    }

    /// A namespace of our own with nothing but loopback (up: Foundation's Process needs it to
    /// watch its children, through CFSocket's wakeup pair, as in every real namespace).
    private func withEmptyNamespace(_ body: (String) throws -> Void) throws {
        try Generated.requireRoot()
        let namespace = "mtdsc" + String(UInt32.random(in: 0...0xfffff), radix: 36) + "-empty"
        try Command.run(["ip", "netns", "add", namespace]).check()
        defer { _ = try? Command.run(["ip", "netns", "delete", namespace]) }
        try Command.run(["ip", "-n", namespace, "link", "set", "lo", "up"]).check()
        try body(namespace)
    }

    func testAMissingNICOrPointIsAClearError() throws {
        try withEmptyNamespace { namespace in
            try assertRefused(["--discover", "--netns", namespace, "--duration", "1"], "error: discovery: no NIC found: no tunnel device, and no IPv4 default route")
            try assertRefused(["--discover", "--netns", namespace, "--discover-map", "nic=uplink,vport=vport"],
                              "error: --discover attaches point 'uplink' at the NIC and 'vport' at the vports, but spec mesh has no point 'uplink' (it has nic, vport): say which is which with --discover-map nic=POINT,vport=POINT")
        }
    }

    /// In a pod (KUBERNETES_SERVICE_HOST set) the service account's credentials are used, and their absence is said.
    func testInClusterCredentialsAreDetectedAndTheirAbsenceIsAnError() throws {
        let token = "/var/run/secrets/kubernetes.io/serviceaccount/token"
        guard !FileManager.default.fileExists(atPath: token) else { throw XCTSkip("this machine has a service-account token") }
        var environment = ProcessInfo.processInfo.environment
        environment["KUBERNETES_SERVICE_HOST"] = "198.18.0.9"
        environment["KUBERNETES_SERVICE_PORT"] = "443"
        try withEmptyNamespace { namespace in
            try assertRefused(["--discover", "--netns", namespace, "--node-name", "node1", "--duration", "1"],
                              "error: Kubernetes credentials: no service-account token at \(token) (automountServiceAccountToken: false?)", environment: environment)
        }
    }
}
