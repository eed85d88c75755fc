import Foundation
import Lab
import PacketKit
import Runner
import TestSupport
import XCTest

/// `meshtrace-run OBJ --replay FILE`: the same decoding, join and report, offline, over captures.
final class ReplayTests: XCTestCase {
    var istio: URL { get throws { try Generated.capture("deepflow__istio-tcp-frag_b3.pcap") } }

    func records(_ arguments: [String]) throws -> [[String: Any]] {
        try Generated.requireRoot()
        let result = try Command.run([try TracingRun.executable("meshtrace-run")] + arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func testEventsFromACapture() throws {
        let object = try Generated.output(.init(spec: "plain-http")).object.path
        let events = try records([object, "--replay", try istio.path, "--events"]).filter { $0["type"] as? String == "event" }
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events.first?["trace_id"] as? String, "744a02a3033b7d5960cd96456ba069a0")
        XCTAssertEqual(events.first?["context_valid"] as? Bool, true)
        XCTAssertEqual(events.first?["point"] as? String, "vport")
    }

    /// Two captures of one packet, at a hop's two points: joined once, latency from their timestamps.
    func testJoinAcrossCaptures() throws {
        let object = try Generated.output(.init(spec: "overlays")).object.path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mt-replay-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (nic, vport) = (directory.appendingPathComponent("nic.pcap").path, directory.appendingPathComponent("vport.pcap").path)
        let istio = try self.istio
        try FileManager.default.copyItem(atPath: istio.path, toPath: nic)
        try FileManager.default.copyItem(atPath: istio.path, toPath: vport)
        let output = try records([object, "--replay", nic, "--replay", vport, "--point-map", "\(nic)=nic:ingress", "--point-map", "\(vport)=vport:egress"])
        let packets = output.filter { $0["type"] as? String == "packet" }
        XCTAssertEqual(packets.count, 1)
        XCTAssertEqual(packets.first?["hop"] as? String, "rx")
        XCTAssertEqual(packets.first?["latency_ns"] as? Int, 0, "the same capture twice: equal timestamps")
        let summary = try XCTUnwrap(output.first { $0["type"] as? String == "summary" })
        XCTAssertEqual(summary["joined"] as? Int, 1)
        XCTAssertEqual(summary["unmatched"] as? Int, 0)
    }

    /// `--program-cost`: the kernel's own count of the hooks' programs, in the summary. BPF_PROG_TEST_RUN
    /// counts as a run, so a replay's figures can be checked: one ingress run per frame replayed
    /// at ingress (the programs' own packet counter says how many), none at egress; nothing
    /// without the flag.
    func testProgramCostCountsEveryRunOfTheHooksPrograms() throws {
        let object = try Generated.output(.init(spec: "overlays")).object.path
        let capture = try istio.path
        let frames = try CaptureReader.frames(in: capture).filter { $0.bytes.count <= FrameRunner.maxFrameBytes }.count
        XCTAssertGreaterThan(frames, 0)
        let summary = try XCTUnwrap(try records([object, "--replay", capture, "--program-cost", "--format", "summary"])
            .first { $0["type"] as? String == "summary" })
        let programs = try XCTUnwrap(summary["programs"] as? [String: [String: Any]], "\(summary)")
        let kernel = try XCTUnwrap(summary["kernel"] as? [String: Any])
        XCTAssertEqual(kernel["packets"] as? Int, frames)
        XCTAssertEqual(programs["ingress"]?["runs"] as? Int, frames, "\(programs)")
        XCTAssertGreaterThan(programs["ingress"]?["nanoseconds"] as? Int ?? 0, 0, "\(programs)")
        XCTAssertEqual(programs["egress"]?["runs"] as? Int, 0, "\(programs)")
        let plain = try XCTUnwrap(try records([object, "--replay", capture, "--format", "summary"]).first { $0["type"] as? String == "summary" })
        XCTAssertNil(plain["programs"], "no --program-cost, no program figures: \(plain)")
    }

    func testBadReplayArgumentsAreClearErrors() throws {
        try Generated.requireRoot()
        let object = try Generated.output(.init(spec: "plain-http")).object.path
        let runner = try TracingRun.executable("meshtrace-run")
        let missing = try Command.run([runner, object, "--replay", "/nonexistent.pcap"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("cannot read capture '/nonexistent.pcap'"), missing.stderr)
        let istio = try self.istio
        let badMap = try Command.run([runner, object, "--replay", istio.path, "--point-map", "\(istio.path)=nowhere:ingress"])
        XCTAssertEqual(badMap.status, 1)
        XCTAssertTrue(badMap.stderr.contains("names point 'nowhere'"), badMap.stderr)
    }
}
