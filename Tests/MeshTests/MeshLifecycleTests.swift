import Foundation
import Lab
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// up, status and down of the mesh: status finds a dead sidecar and names it, up repairs it, and
/// down leaves nothing: no namespace, no process started for the mesh, no state directory.
final class MeshLifecycleTests: XCTestCase {
    private var watch: MeshWatch?

    override func tearDown() {
        watch?.stop()
        super.tearDown()
    }

    func testStatusFindsADeadSidecarUpRepairsItDownLeavesNothing() throws {
        let watch = try MeshWatch(prefix: "mtm6")
        self.watch = watch
        let mesh = watch.mesh, variant = MeshVariant(format: .proposed, tracer: .b3)
        XCTAssertEqual(try mesh.up(variant), .built)
        XCTAssertEqual(try mesh.up(variant), .alreadyUp)
        let status = try mesh.status()
        XCTAssertTrue(status.isUp, "\(status.problems)")
        XCTAssertEqual(status.variant, variant)

        let productpage = mesh.layout.pod(.productpage)
        let envoy = try XCTUnwrap(NetworkNamespace(productpage.namespace).pids().first { Self.command($0).contains("envoy") })
        kill(envoy, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while Self.command(envoy).contains("envoy") && Date() < deadline { usleep(20_000) }
        let broken = try mesh.status()
        XCTAssertFalse(broken.isUp)
        XCTAssertTrue(broken.problems.contains("no Envoy in productpage"), "\(broken.problems)")

        XCTAssertEqual(try mesh.up(variant), .rebuilt, "the workloads restarted on the standing testbed")
        XCTAssertTrue(try mesh.status().isUp)

        let started = mesh.layout.topology.namespaces.flatMap { NetworkNamespace($0).pids() }
        XCTAssertGreaterThanOrEqual(started.count, 9, "an Envoy in each of 5 pods and 4 apps")
        try mesh.down()
        XCTAssertEqual(try NetworkNamespace.all().filter { $0.hasPrefix("mtm6-") }, [])
        XCTAssertEqual(started.filter { !Self.command($0).isEmpty }, [], "every process of the mesh is gone")
        XCTAssertFalse(FileManager.default.fileExists(atPath: mesh.testbed.stateDirectory.path))
        XCTAssertTrue(try mesh.status().isAbsent)
    }

    /// The process's command line, empty once it is gone (or a zombie).
    static func command(_ pid: Int32) -> String {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), !stat.contains(") Z ") else { return "" }
        return (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
    }
}
