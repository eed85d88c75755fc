import ConformanceVectors
import Spec
import TraceContexts
import XCTest

/// Every vector of Tests/Conformance/trace-context-vectors.json, through the kernel-like
/// derivation and the parser.
final class ConformanceVectorTests: XCTestCase {
    func testEveryVector() throws {
        let vectors = try Vectors.load()
        var passed: [String: Int] = [:]
        var cut: [String: Int] = [:]
        for vector in vectors.cases {
            let formats = try vectors.formats(of: vector)
            let observed = KernelView.observe(vector.headers, formats: formats)
            if observed.contains(where: \.cut) { cut[vector.suite, default: 0] += 1 }
            let verdict = ContextParser(formats: formats).verdict(for: observed)
            var failures = vector.expect.mismatches(verdict)
            // The case's copy sizes are the spec's: its cut expectations hold only while they are.
            let sent = Set(vector.headers.map { $0[0].lowercased() })
            let sizes = Dictionary(uniqueKeysWithValues: KernelView.copySizes(formats).filter { sent.contains($0.name) }.map { ($0.name, $0.maxValueBytes) })
            if sizes != vector.maxValueBytes { failures.append("copy sizes are \(sizes), the case says \(vector.maxValueBytes)") }
            if failures.isEmpty {
                passed[vector.suite, default: 0] += 1
            } else {
                XCTFail("\(vector.suite) / \(vector.name): \(failures.joined(separator: "; ")) — verdict \(verdict)")
            }
        }
        for suite in vectors.suites {
            let total = vectors.cases.filter { $0.suite == suite.suite }.count
            print("trace-context vectors \(suite.suite): \(passed[suite.suite] ?? 0)/\(total) passed (\(cut[suite.suite] ?? 0) with a cut value)")
            XCTAssertEqual(total, suite.cases, "\(suite.suite): the suite's case count is stale")
        }
    }

    /// The copy sizes the vectors were written against are the spec's: a vector whose
    /// expectation depends on a cut stays true only while the kernel copies that much.
    func testCopySizesAreTheSpecs() throws {
        let vectors = try Vectors.load()
        var formats = try vectors.formats.map(FormatLabel.format)
        formats.append(.w3c(tracestate: false))
        let sizes = Dictionary(uniqueKeysWithValues: KernelView.copySizes(formats).map { ($0.name, $0.maxValueBytes) })
        XCTAssertEqual(sizes, vectors.maxValueBytes)
    }

    func testEnoughVectorsPerSuite() throws {
        let counts = Dictionary(grouping: try Vectors.load().cases, by: \.suite).mapValues(\.count)
        XCTAssertGreaterThanOrEqual(counts["w3c-traceparent"] ?? 0, 40)
        XCTAssertGreaterThanOrEqual(counts["w3c-tracestate"] ?? 0, 15)
        XCTAssertGreaterThanOrEqual(counts["b3"] ?? 0, 25)
        XCTAssertGreaterThanOrEqual(counts["jaeger"] ?? 0, 8)
    }
}
