import Foundation
import Spec
import SpecLoader
import XCTest

/// Every example spec in specs/ survives encode → decode unchanged, and its encoded IR matches
/// the golden file Tests/SpecTests/Goldens/<spec>.ir.json (what `meshtrace-gen <spec> --emit ir` prints).
///
/// Goldens are never edited by hand. To re-record them after an intended change to a spec or
/// to the IR, run:
///
///     MESHTRACE_RECORD_GOLDENS=1 swift test --filter IRRoundTripTests
///
/// and review the diff before committing it.
final class IRRoundTripTests: XCTestCase {
    static let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")
    static let specs = Fixture.packageRoot.appendingPathComponent("specs")
    static var recording: Bool { ProcessInfo.processInfo.environment["MESHTRACE_RECORD_GOLDENS"] == "1" }

    /// specs/*.swift, by name.
    private func exampleSpecs() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: Self.specs, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    private func golden(for spec: URL) -> URL {
        Self.goldens.appendingPathComponent(spec.deletingPathExtension().lastPathComponent + ".ir.json")
    }

    func testExampleSpecsRoundTripAndMatchTheirGoldens() throws {
        let specs = try exampleSpecs()
        XCTAssertFalse(specs.isEmpty, "no example specs in \(Self.specs.path)")
        for spec in specs {
            let name = spec.lastPathComponent
            let ir = try Fixture.load(spec).ir
            let encoded = try SpecEncoding.encode(ir)
            let decoded = try SpecEncoding.decode(encoded)
            XCTAssertEqual(decoded, ir, "\(name): decoding the encoded IR changes it")
            XCTAssertEqual(try SpecEncoding.encode(decoded), encoded, "\(name): encoding is not stable")
            XCTAssertEqual(SpecValidator.validate(decoded), [], "\(name): the decoded IR does not validate")

            let text = String(decoding: encoded, as: UTF8.self) + "\n"
            let file = golden(for: spec)
            if Self.recording {
                try FileManager.default.createDirectory(at: Self.goldens, withIntermediateDirectories: true)
                try text.write(to: file, atomically: true, encoding: .utf8)
                print("recorded \(file.path)")
                continue
            }
            guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
                XCTFail("\(name): no golden at \(file.path); record it with MESHTRACE_RECORD_GOLDENS=1 swift test --filter IRRoundTripTests")
                continue
            }
            XCTAssertEqual(try SpecEncoding.decode(Data(expected.utf8)), ir, "\(name): the golden decodes to a different IR")
            XCTAssertEqual(text, expected, "\(name): IR differs from \(file.lastPathComponent); if intended, re-record with MESHTRACE_RECORD_GOLDENS=1")
        }
    }

    func testToolPrintsTheGoldens() throws {
        try XCTSkipIf(Self.recording, "recording goldens")
        for spec in try exampleSpecs() {
            let result = try Fixture.runTool([spec.path, "--emit", "ir"])
            XCTAssertEqual(result.status, 0, result.stderr)
            guard let expected = try? String(contentsOf: golden(for: spec), encoding: .utf8) else {
                XCTFail("\(spec.lastPathComponent): no golden; record it with MESHTRACE_RECORD_GOLDENS=1")
                continue
            }
            XCTAssertTrue(result.stdout == expected, "\(spec.lastPathComponent): meshtrace-gen output differs from its golden")
        }
    }

    func testEveryGoldenHasASpec() throws {
        let specs = Set(try exampleSpecs().map { $0.deletingPathExtension().lastPathComponent })
        let goldens = (try? FileManager.default.contentsOfDirectory(atPath: Self.goldens.path)) ?? []
        for golden in goldens {
            XCTAssertTrue(golden.hasSuffix(".ir.json"), "stray file \(golden) in Goldens")
            XCTAssertTrue(specs.contains(String(golden.dropLast(".ir.json".count))), "golden \(golden) has no spec in specs/; delete it")
        }
    }

    func testEveryIRShapeRoundTrips() throws {
        // Shapes the example specs may not use: every matcher, map kind, length rule, role and format.
        var ir = SpecIR(name: "shapes", line: 1, parser: ParserGraph(start: "a", states: [
            ParserState(name: "a", extracts: ["h"], tunnel: .geneve, maxVisits: 3, transition: .select(SelectExpression(
                keys: [FieldRef(header: "h", field: "x"), FieldRef(header: "h", field: "y")],
                cases: [
                    SelectCase(matchers: [.exact(1), .mask(value: 2, mask: 3)], next: "a", line: 4),
                    SelectCase(matchers: [.range(lower: 4, upper: 5), .any], next: ParserGraph.reject),
                ],
                defaultNext: ParserGraph.accept, line: 3
            )), line: 2),
        ], line: 2))
        ir.headers = [HeaderType(name: "h", fields: [HeaderField(name: "x", bits: 8, line: 5), HeaderField(name: "y", bits: 8)],
                                 length: [.totalLength(field: "x", unit: 4), .extraLength(field: "y", unit: 1), .optional(field: "x", mask: 1, bytes: 4)],
                                 role: .network(source: "x", destination: "y", nextProtocol: "x", length: "y", lengthIncludesHeader: false))]
        ir.search = SearchWindow(formats: [.w3c(tracestate: true), .b3Multi, .b3Single, .jaeger, .custom(name: "x-id", maxValueBytes: 9)], placement: .anywhere, bytes: 9)
        ir.record = EventRecord(fields: EventRecord.standardFields + [.header(FieldRef(header: "h", field: "x"), optional: true, line: nil)])
        ir.maps = [
            MapLayout(name: "r", kind: .ringBuffer(bytes: 4096)),
            MapLayout(name: "s", kind: .perCPUScratch(bytes: 64)),
            MapLayout(name: "f", kind: .hash(keys: [.inner(.sourcePort)], values: FlowStatistic.allCases, maxEntries: 8)),
            MapLayout(name: "l", kind: .lru(keys: [.outer(.transportProtocol), .header(FieldRef(header: "h", field: "y"))], values: [.bytes], maxEntries: 8)),
        ]
        ir.tables = [MatchActionTable(name: "t", keys: [TableKey(field: .inner(.destinationAddress), match: .lpm)], defaultAction: .skip, size: 2)]
        ir.points = [TracingPoint(name: "p", hooks: Hook.allCases)]
        ir.hops = [Hop(name: "x", from: PointHook(point: "p", hook: .ingress), to: PointHook(point: "p", hook: .egress))]
        ir.target = TargetProfile(instructionBudget: 100, complexityBudget: 200, profile: .bpfLoop)
        ir.diagnostics = [SpecDiagnostic(line: 7, "kept")]
        ir.http = HTTPDetection(requests: false, responses: true, methods: ["GET"])

        let encoded = try SpecEncoding.encode(ir)
        XCTAssertEqual(try SpecEncoding.decode(encoded), ir)
        XCTAssertTrue(String(decoding: encoded, as: UTF8.self).contains("\"bpf_loop\""))
    }

    func testDecodingRejectsAnUnknownShape() {
        XCTAssertThrowsError(try SpecEncoding.decode(Data("{\"schemaVersion\": 1}".utf8)))
    }
}
