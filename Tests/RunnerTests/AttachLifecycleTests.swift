import Foundation
import Lab
import TestSupport
import XCTest

/// Attaching and letting go: clean exits, SIGKILL recovery, two runners, interfaces that are
/// missing, vanish or appear. Each test runs meshtrace-run in a namespace of its own.
final class AttachLifecycleTests: XCTestCase {
    let namespace = "mtlife\(getpid() % 10000)"
    var object = ""

    override func setUpWithError() throws {
        try Generated.requireRoot()
        object = try Generated.output(.init(spec: "overlays")).object.path
        _ = try? Command.run(["ip", "netns", "del", namespace])
        try Command.run(["ip", "netns", "add", namespace]).check()
        for pair in [("mtla", "mtlb"), ("mtlc", "mtld")] {
            try ip(["link", "add", pair.0, "type", "veth", "peer", "name", pair.1])
            try ip(["link", "set", pair.0, "up"])
            try ip(["link", "set", pair.1, "up"])
        }
    }

    override func tearDown() {
        _ = try? Command.run(["ip", "netns", "del", namespace])
    }

    func ip(_ arguments: [String]) throws {
        try Command.run(["ip", "-n", namespace] + arguments).check()
    }

    func filters(_ interface: String) throws -> String {
        try ["ingress", "egress"].map { try Command.run(["ip", "netns", "exec", namespace, "tc", "filter", "show", "dev", interface, $0]).check().stdout }
            .joined()
    }

    /// Starts meshtrace-run with `points`, waits for `ready` in its output.
    func startRunner(_ points: [String], ready: String = "attached") throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TracingRun.executable("meshtrace-run"))
        process.arguments = [object, "--netns", namespace] + points.flatMap { ["--point", $0] }
        let output = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        var text = ""
        while Date() < deadline, !text.contains(ready), process.isRunning {
            text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        XCTAssertTrue(text.contains(ready), "runner said: \(text)")
        return (process, output)
    }

    func testCleanExitDetaches() throws {
        for signal in [SIGINT, SIGTERM] {
            let (runner, _) = try startRunner(["vport=mtla,mtlc"])
            XCTAssertTrue(try filters("mtla").contains("mt_ingress"))
            kill(runner.processIdentifier, signal)
            runner.waitUntilExit()
            XCTAssertEqual(runner.terminationStatus, 0)
            XCTAssertFalse(try filters("mtla").contains("mt_"))
            XCTAssertFalse(try filters("mtlc").contains("mt_"))
        }
    }

    func testNextRunnerRemovesWhatAKilledOneLeft() throws {
        let (killed, _) = try startRunner(["vport=mtla"])
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        XCTAssertTrue(try filters("mtla").contains("mt_ingress"), "SIGKILL leaves the filter")
        let (next, output) = try startRunner(["vport=mtla"], ready: "attached vport at mtla")
        kill(next.processIdentifier, SIGTERM)
        next.waitUntilExit()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertFalse(try filters("mtla").contains("mt_"), "the next runner removed the stale filter and its own. It said: \(said)")
    }

    func testSecondRunnerOnAnInterfaceIsRefused() throws {
        let (first, _) = try startRunner(["vport=mtla"])
        defer { kill(first.processIdentifier, SIGTERM); first.waitUntilExit() }
        let second = try Command.run([try TracingRun.executable("meshtrace-run"), object, "--netns", namespace, "--point", "vport=mtla", "--duration", "1"])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.stderr.contains("already traced by meshtrace-run (pid \(first.processIdentifier))"), second.stderr)
        XCTAssertTrue(try filters("mtla").contains("mt_ingress"), "the first runner keeps its filter")
    }

    func testMissingInterfaceIsAClearError() throws {
        let result = try Command.run([try TracingRun.executable("meshtrace-run"), object, "--netns", namespace, "--point", "vport=nosuch0", "--duration", "1"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines),
                       "error: interface 'nosuch0' (for point vport) does not exist in this network namespace")
    }

    func testInterfacesThatComeAndGo() throws {
        let (runner, output) = try startRunner(["vport=mtl*"])
        defer { kill(runner.processIdentifier, SIGTERM); runner.waitUntilExit() }
        try ip(["link", "del", "mtla"])  // takes its peer mtlb with it
        try ip(["link", "add", "mtle", "type", "veth", "peer", "name", "mtlf"])
        var said = ""
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !(said.contains("vanished") && said.contains("attached vport at mtle")) {
            said += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        XCTAssertTrue(said.contains("interface mtla vanished; released"), said)
        XCTAssertTrue(said.contains("attached vport at mtle"), said)
        XCTAssertTrue(runner.isRunning, "the runner goes on")
        XCTAssertTrue(try filters("mtle").contains("mt_ingress"))
    }
}
