import Codegen
import TestSupport
import Foundation
import XCTest

/// `generated/` holds the committed output for the example specs; it must be exactly what the
/// generator writes today. Regenerate with `scripts/regenerate` (never edit by hand).
final class GeneratedFreshnessTests: XCTestCase {
    func testCommittedOutputIsFresh() throws {
        let committed = Generated.packageRoot.appendingPathComponent("generated")
        let specs = try FileManager.default.contentsOfDirectory(atPath: Generated.packageRoot.appendingPathComponent("specs").path)
            .filter { $0.hasSuffix(".swift") }.map { String($0.dropLast(".swift".count)) }.sorted()
        XCTAssertFalse(specs.isEmpty)
        for spec in specs {
            // Verified counts need the kernel; without root only the C and the object are compared.
            let output = try Generated.output(.init(spec: spec))
            var files = [output.source, output.object]
            if getuid() == 0 { files.append(output.source.deletingLastPathComponent().appendingPathComponent("\(spec).report.json")) }
            for fresh in files {
                let name = fresh.lastPathComponent
                let old = committed.appendingPathComponent(name)
                guard let oldBytes = FileManager.default.contents(atPath: old.path) else {
                    XCTFail("generated/\(name) is missing: run scripts/regenerate")
                    continue
                }
                XCTAssertEqual(try Data(contentsOf: fresh), oldBytes, "generated/\(name) is stale: run scripts/regenerate and commit the result")
            }
        }
    }
}
