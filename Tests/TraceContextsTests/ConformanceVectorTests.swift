import Spec
import TraceContexts
import XCTest

/// Every vector of Tests/Conformance/trace-context-vectors.json, through the kernel-like
/// derivation and the parser.
final class ConformanceVectorTests: XCTestCase {
    func testEveryVector() throws {
        let vectors = try Vectors.load()
        let defaults = try vectors.formats.map(FormatLabel.format)
        var passed: [String: Int] = [:]
        var cut: [String: Int] = [:]
        for vector in vectors.cases {
            let formats = try vector.formats.map { try $0.map(FormatLabel.format) } ?? defaults
            let observed = KernelView.observe(vector.headers, formats: formats)
            if observed.contains(where: \.cut) { cut[vector.suite, default: 0] += 1 }
            let verdict = ContextParser(formats: formats).verdict(for: observed)
            var failures = mismatches(verdict, vector.expect)
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

    func mismatches(_ verdict: Verdict, _ expect: Vectors.Expect) -> [String] {
        var failures: [String] = []
        func check<T: Equatable>(_ what: String, _ actual: T, _ expected: T) {
            if actual != expected { failures.append("\(what) is \(actual), expected \(expected)") }
        }
        check("format", verdict.format.map(FormatLabel.label), expect.format)
        if let noteContains = expect.noteContains, !verdict.notes.contains(where: { $0.contains(noteContains) }) {
            failures.append("no note contains '\(noteContains)'")
        }
        switch verdict.outcome {
        case .valid(let context):
            check("verdict", "valid", expect.verdict)
            check("trace id", context.traceId.hex, expect.traceId)
            check("span id", context.spanId.hex, expect.spanId)
            check("parent span id", context.parentSpanId?.hex, expect.parentSpanId)
            check("sampled", context.sampling.sampled, expect.sampled)
            check("debug", context.sampling.debug, expect.debug ?? false)
            if let tracestate = expect.tracestate {
                check("tracestate", context.tracestate?.map { [$0.key, $0.value] }, tracestate)
            }
        case .validWithoutIds(let sampling):
            check("verdict", "valid_without_ids", expect.verdict)
            check("sampled", sampling.sampled, expect.sampled)
            check("debug", sampling.debug, expect.debug ?? false)
        case .opaque(let value):
            check("verdict", "opaque", expect.verdict)
            check("value", value, expect.value)
        case .invalid(let reason):
            check("verdict", "invalid", expect.verdict)
            if let reasonContains = expect.reasonContains, !reason.description.contains(reasonContains) {
                failures.append("reason '\(reason)' lacks '\(reasonContains)'")
            }
        case .absent:
            check("verdict", "absent", expect.verdict)
        }
        return failures
    }
}
