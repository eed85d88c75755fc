import Foundation
import Lab
import XCTest

/// `meshtrace-lab evaluate --quick` end to end, as a user runs it: it writes report.md, a
/// results.json that meets docs/evaluation/results.schema.json with sane values (the proposed
/// format found at 200 B, the original not before its context, found at 2 KiB), the three PNGs,
/// and leaves no namespace behind.
final class EvaluateQuickTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private var output: URL?

    override func tearDown() {
        if let output { try? FileManager.default.removeItem(at: output) }
        if let mesh = try? Mesh(prefix: "mtm5") { try? mesh.down() }
        super.tearDown()
    }

    func testQuickEvaluationWritesReportJSONAndPlots() throws {
        guard Privileges.isRoot else { throw XCTSkip("the mesh needs root") }
        if case .failure(let reason) = EnvoyBinary.locate() { throw XCTSkip(reason.description) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrace-evaluate-\(UUID().uuidString)")
        self.output = output
        let lab = try TracingRun.executable("meshtrace-lab")
        let run = try Command.run([lab, "evaluate", "--quick", "--prefix", "mtm5", "--out", output.path,
                                   "--spec", Self.repository.appendingPathComponent("specs/mesh.swift").path])
        XCTAssertTrue(run.succeeded, "evaluate failed: \(run.stderr)\n\(run.stdout.suffix(2000))")

        let json = output.appendingPathComponent("results.json")
        let schema = Self.repository.appendingPathComponent("docs/evaluation/results.schema.json")
        let validation = try Command.run(["/usr/bin/python3", "-c", "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))",
                                          json.path, schema.path])
        XCTAssertTrue(validation.succeeded, "results.json against the schema: \(validation.stderr)")

        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        let detection = try XCTUnwrap(results?["detection"] as? [[String: Any]])
        func rate(_ format: String, _ window: Int) -> Double? {
            detection.first { $0["format"] as? String == format && $0["window"] as? Int == window }?["rate"] as? Double
        }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(rate("proposed", 200)), 0.99, "the proposed format within 200 B")
        XCTAssertEqual(try XCTUnwrap(rate("original", 200)), 0, "the original format's context lies past 200 B")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(rate("original", 2048)), 0.99, "the original format within 2 KiB")
        for row in try XCTUnwrap(results?["e2e"] as? [[String: Any]]) {
            let values = ["min_ms", "median_ms", "p99_ms", "max_ms"].compactMap { row[$0] as? Double }
            XCTAssertEqual(values, values.sorted(), "min ≤ median ≤ p99 ≤ max: \(row)")
            XCTAssertLessThan(try XCTUnwrap(row["median_ms"] as? Double), 1000, "a request through the mesh takes milliseconds: \(row)")
            XCTAssertEqual(row["failed"] as? Int, 0, "\(row)")
        }
        for row in try XCTUnwrap(results?["hops"] as? [[String: Any]]) {
            let median = try XCTUnwrap(row["median_us"] as? Double)
            XCTAssertTrue((1...5000).contains(median), "a hop across one node takes microseconds: \(row)")
        }
        XCTAssertNotNil((results?["sidecar_cost_us"] as? [String: Any])?["median"] as? Double)

        let report = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        for heading in ["## Table 1", "## Fig. 8", "## Fig. 9", "context-first filter's cost", "Where we stand"] {
            XCTAssertTrue(report.contains(heading), "report.md has '\(heading)'")
        }
        for png in ["table1-e2e-cdf.png", "fig8-detection.png", "fig9-hop-cdf.png"] {
            let data = try Data(contentsOf: output.appendingPathComponent(png))
            XCTAssertEqual(Array(data.prefix(8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "\(png) is a PNG")
            XCTAssertGreaterThan(data.count, 10_000, "\(png) has a plot in it")
            XCTAssertTrue(report.contains(png), "report.md shows \(png)")
        }
        // The report and plots redrawn from results.json alone are the run's own.
        let redrawn = output.appendingPathComponent("redrawn")
        let redraw = try Command.run([lab, "evaluate", "--out", redrawn.path, "--from-results", json.path])
        XCTAssertTrue(redraw.succeeded, "evaluate --from-results failed: \(redraw.stderr)")
        XCTAssertEqual(try String(contentsOf: redrawn.appendingPathComponent("report.md"), encoding: .utf8), report,
                       "report.md redrawn from results.json")
        for png in ["table1-e2e-cdf.png", "fig8-detection.png", "fig9-hop-cdf.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: redrawn.appendingPathComponent(png).path), "\(png) redrawn")
        }
        let left = try NetworkNamespace.all().filter { $0.hasPrefix("mtm5-") }
        XCTAssertEqual(left, [], "evaluate tears its mesh down")
    }
}
