import Foundation
import Lab
import XCTest

/// `meshtrace-lab overhead` in a short mode on its own testbed (prefix mto1): the output is
/// well-formed and the runners were really attached while the "on" and "paused" phases ran. The figures
/// themselves are the benchmark's business, never a test's.
final class OverheadTests: XCTestCase {
    static let prefix = "mto1"

    override func setUpWithError() throws {
        guard Privileges.isRoot else { throw XCTSkip("OverheadTests need root: network namespaces (sudo swift test --filter LabTests.OverheadTests)") }
        // `overhead` tears its testbed down; this covers a run that dies before it can.
        addTeardownBlock { try? Testbed(prefix: Self.prefix).down() }
    }

    func testShortRunIsWellFormedAndTracesTheOnPhases() throws {
        let lab = try TracingRun.executable("meshtrace-lab")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try Command.run([lab, "overhead", "--prefix", Self.prefix, "--spec", root.appendingPathComponent("specs/mesh.swift").path,
                                      "--rounds", "1", "--rate", "40", "--latency-seconds", "2", "--wrk-seconds", "1", "--paused-runners",
                                      "--empty-floor", "--empty-program", root.appendingPathComponent("Benchmarks/empty.bpf.c").path])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for format in ["original (context last, anywhere 2 KiB)", "proposed (context first, fixed)"] {
            let rows = lines.filter { $0.hasPrefix(format) }
            func row(_ side: String) throws -> String {
                try XCTUnwrap(rows.first { $0.split(separator: " ").dropFirst(format.split(separator: " ").count).first.map(String.init) == side }, result.stdout)
            }
            let off = try row("off"), on = try row("on"), paused = try row("paused"), empty = try row("empty")
            // median, p99, req/s, errors, events, joined, runner CPU s, µs per event, the programs' and
            // the runners' µs per request, the machine's CPU µs per wrk request
            func figures(_ row: String) -> [Double] { row.split(separator: " ").suffix(11).compactMap { Double($0) } }
            let offFigures = figures(off), onFigures = figures(on), pausedFigures = figures(paused), emptyFigures = figures(empty)
            for (row, values) in [(off, offFigures), (on, onFigures), (paused, pausedFigures), (empty, emptyFigures)] { XCTAssertEqual(values.count, 11, row) }
            guard [offFigures, onFigures, pausedFigures, emptyFigures].allSatisfy({ $0.count == 11 }) else { return }
            XCTAssertGreaterThan(offFigures[0], 0, off)
            XCTAssertGreaterThanOrEqual(offFigures[1], offFigures[0], off)
            XCTAssertGreaterThan(offFigures[2], 0, off)
            XCTAssertEqual(offFigures[4], 0, "no runner, no events: \(off)")
            XCTAssertEqual(offFigures[6], 0, "no runner, no runner CPU: \(off)")
            XCTAssertGreaterThan(onFigures[4], 0, "the runners saw no events while on: \(on)")
            XCTAssertGreaterThan(onFigures[5], 0, "the runners joined nothing while on: \(on)")
            XCTAssertGreaterThan(onFigures[6], 0, "the runners spent no CPU while on: \(on)")
            XCTAssertGreaterThan(onFigures[7], 0, on)
            // The kernel counted the programs' runs while the runners were attached, paused or not,
            // and nothing ran without them; the machine did work in every wrk phase.
            XCTAssertEqual(offFigures[8], 0, off)
            XCTAssertEqual(offFigures[9], 0, off)
            XCTAssertGreaterThan(onFigures[8], 0, "no program runs counted while on: \(on)")
            XCTAssertGreaterThan(pausedFigures[8], 0, "no program runs counted while paused: \(paused)")
            XCTAssertGreaterThan(onFigures[9], 0, on)
            for (row, values) in [(off, offFigures), (on, onFigures), (paused, pausedFigures), (empty, emptyFigures)] { XCTAssertGreaterThan(values[10], 0, row) }
            // The empty program ran at the same points without a runner: runs counted, no events.
            XCTAssertGreaterThan(emptyFigures[8], 0, "the empty tc programs' runs were not counted: \(empty)")
            XCTAssertEqual(emptyFigures[4], 0, empty)
            XCTAssertEqual(emptyFigures[6], 0, empty)
            let own = try XCTUnwrap(lines.first { $0.hasPrefix("\(format) tracing's own work (on): programs ") }, result.stdout)
            XCTAssertTrue(own.contains(" runs, ") && own.contains("% of it") && own.contains("an empty tc program at the same points: ") && !own.contains("nan"), own)
            let ratio = try XCTUnwrap(lines.first { $0.hasPrefix("\(format) on/off:") }, result.stdout)
            XCTAssertTrue(ratio.contains("median ") && ratio.contains("throughput ") && ratio.contains("wrk phase to phase +-0.0 % off"),
                          "one round: no spread between phases: \(ratio)")
            // The paused runners' programs ran (their events waited in the ring, read after SIGCONT),
            // their runners took no part while stopped.
            XCTAssertGreaterThan(pausedFigures[0], 0, paused)
            XCTAssertGreaterThan(pausedFigures[4], 0, "the paused runners' programs built no events: \(paused)")
            XCTAssertLessThan(pausedFigures[6], onFigures[6], "stopped runners spend (almost) no CPU: \(paused) against \(on)")
            // One round: its pair's ratios are the median, the minimum and the maximum alike.
            for what in ["paired rounds", "paused runners, paired rounds"] {
                let paired = try XCTUnwrap(lines.first { $0.hasPrefix("\(format) \(what) (") }, result.stdout)
                let figures = try paired.matches(of: Regex("[0-9]+\\.[0-9]+")).compactMap { Double(paired[$0.range]) }
                XCTAssertEqual(figures.count, 6, paired)
                if figures.count == 6 {
                    XCTAssertTrue(figures[0] > 0 && figures[0] == figures[1] && figures[1] == figures[2], paired)
                    XCTAssertTrue(figures[3] > 0 && figures[3] == figures[4] && figures[4] == figures[5], paired)
                }
            }
        }
        XCTAssertTrue(try Testbed(prefix: Self.prefix).status().isAbsent, "overhead left its testbed up")
    }
}
