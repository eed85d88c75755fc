import Foundation
import Lab
import XCTest

/// `meshtrace-lab demo` interrupted (SIGINT, Ctrl-C) while its runners trace: it tears its testbed
/// down, servers and attached runners included, and exits 130 (prefix mtint).
final class InterruptTests: XCTestCase {
    static let prefix = "mtint"

    override func setUpWithError() throws {
        guard Privileges.isRoot else { throw XCTSkip("InterruptTests need root: network namespaces") }
        addTeardownBlock { try? Testbed(prefix: Self.prefix).down() }
    }

    /// Processes whose command line names the testbed (its servers, loads and runners: their
    /// interfaces and state directory carry the prefix).
    func testbedProcesses() throws -> [String] {
        let listed = try Command.run(["ps", "-eo", "pid=,args="]).stdout.split(separator: "\n").map(String.init)
        return listed.filter { $0.contains("meshtrace-lab-\(Self.prefix)") || $0.contains("\(Self.prefix)nic") || $0.contains("\(Self.prefix)vp") }
    }

    func testAnInterruptedDemoLeavesNothingRunning() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let demo = Process()
        demo.executableURL = URL(fileURLWithPath: try TracingRun.executable("meshtrace-lab"))
        demo.arguments = ["demo", "--prefix", Self.prefix, "--spec", root.appendingPathComponent("specs/mesh.swift").path,
                          "--requests", "100000", "--load", "0"]
        let errors = Pipe()
        demo.standardOutput = FileHandle.nullDevice
        demo.standardError = errors
        try demo.run()
        // Until both nodes' runners trace (they name the testbed's interfaces).
        let deadline = Date().addingTimeInterval(180)
        while try testbedProcesses().filter({ $0.contains("meshtrace-run") }).count < 2 {
            guard demo.isRunning, Date() < deadline else {
                demo.terminate()
                return XCTFail("the demo's runners never started: \(String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self))")
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        XCTAssertTrue(try NetworkNamespace.all().contains { $0.hasPrefix("\(Self.prefix)-") })
        kill(demo.processIdentifier, SIGINT)
        let stopBy = Date().addingTimeInterval(60)
        while demo.isRunning && Date() < stopBy { Thread.sleep(forTimeInterval: 0.2) }
        XCTAssertFalse(demo.isRunning, "the demo did not end within 60 s of SIGINT")
        if demo.isRunning { kill(demo.processIdentifier, SIGKILL) }
        demo.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(demo.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("tearing down testbed \(Self.prefix)"), stderr)
        XCTAssertEqual(try NetworkNamespace.all().filter { $0.hasPrefix("\(Self.prefix)-") }, [], "namespaces left")
        XCTAssertEqual(try testbedProcesses(), [], "processes left")
    }
}
