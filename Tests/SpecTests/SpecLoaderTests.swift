import Foundation
import Spec
import SpecLoader
import XCTest

/// Loading a spec file: compiling it, running it, reading its IR, caching; and the
/// `meshtrace-gen` executable that does so.
final class SpecLoaderTests: XCTestCase {
    /// What a crash or an uncaught error would print; none of it may reach the user.
    private let stackTraceMarkers = ["Stack dump", "stack trace", "Backtrace", "Fatal error", "Swift runtime failure", "#0 0x", "PLEASE submit a bug report"]

    func testToolPrintsTheIROfASpecOutsideTheRepository() throws {
        let source = SpecSource.spec(states: SpecSource.vxlanStates, body: """
            SearchWindow(bytes: 512, placement: .anywhere, formats: .w3c(tracestate: true), .jaeger)
            Record(.timestamp, .innerFiveTuple, .outerFiveTuple, .optionalField(vxlan.vni), .traceContext)
        """)
        let windowLine = try XCTUnwrap(source.components(separatedBy: "\n").firstIndex { $0.contains("SearchWindow(") }) + 1
        let spec = try writeSpec(source, named: "outside.swift")
        XCTAssertFalse(spec.path.hasPrefix(Fixture.packageRoot.path + "/"))
        let result = try Fixture.runTool([spec.path, "--emit", "ir"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let ir = try SpecEncoding.decode(Data(result.stdout.utf8))
        XCTAssertEqual(ir.name, "test")
        XCTAssertEqual(ir.schemaVersion, SpecIR.currentSchemaVersion)
        XCTAssertEqual(ir.parser.start, "ethernet")
        XCTAssertEqual(ir.parser.states.map(\.name), ["ethernet", "ipv4", "udp", "vxlan", "inner_ethernet", "inner_ipv4", "tcp"])
        XCTAssertEqual(ir.parser.state(named: "vxlan")?.tunnel, .vxlan)
        XCTAssertEqual(ir.headers.map(\.name), ["ethernet", "ipv4", "tcp", "udp", "vxlan"])
        XCTAssertEqual(ir.search, SearchWindow(formats: [.w3c(tracestate: true), .jaeger], placement: .anywhere, bytes: 512, line: windowLine))
        XCTAssertEqual(ir.points.map(\.name), ["nic"])
        // The tool prints exactly the stable encoding, and the loader agrees with it.
        XCTAssertEqual(result.stdout, String(decoding: try SpecEncoding.encode(ir), as: UTF8.self) + "\n")
        XCTAssertEqual(try Fixture.load(spec).ir, ir)
    }

    func testToolReportsValidationErrorsAsPathLineError() throws {
        let source = SpecSource.spec(body: """
            Hop("rx", from: .ingress(of: "nic"), to: .egress(of: "pod")) // ERROR
        """)
        let spec = try writeSpec(source)
        let result = try Fixture.runTool([spec.path, "--emit", "ir"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "")
        let line = try XCTUnwrap(markedLine(in: source))
        XCTAssertTrue(result.stderr.hasPrefix("\(spec.path):\(line): error: hop 'rx' names unknown tracing point 'pod'"), result.stderr)
        for marker in stackTraceMarkers {
            XCTAssertFalse(result.stderr.contains(marker), result.stderr)
        }
    }

    func testSwiftCompileErrorShowsTheUsersPathAndLine() throws {
        let source = """
        import Spec

        let spec = MeshSpec("broken") {
            Parser(start: "ethernet") {
                State("ethernet") {
                    Extract(ipv9) // ERROR
                    Transition(.accept)
                }
            }
            TracingPoint("nic", hooks: .ingress)
        }
        """
        let spec = try writeSpec(source, named: "broken.swift")
        let line = try XCTUnwrap(markedLine(in: source))
        let result = try Fixture.runTool([spec.path, "--emit", "ir"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "")
        let diagnostic = try XCTUnwrap(result.stderr.components(separatedBy: "\n").first { $0.hasPrefix("\(spec.path):\(line):") }, result.stderr)
        XCTAssertTrue(diagnostic.contains(" error: "), diagnostic)
        XCTAssertTrue(diagnostic.contains("cannot find 'ipv9' in scope"), diagnostic)
        XCTAssertTrue(result.stderr.contains("error: spec '\(spec.path)' does not compile"), result.stderr)
        for marker in stackTraceMarkers {
            XCTAssertFalse(result.stderr.contains(marker), "stack trace in:\n\(result.stderr)")
        }
        // The library reports the same, as a SpecLoadError.
        XCTAssertThrowsError(try Fixture.load(spec)) { error in
            guard case SpecLoadError.compileFailed(let path, let diagnostics) = error else {
                return XCTFail("expected compileFailed, got \(error)")
            }
            XCTAssertEqual(path, spec.path)
            XCTAssertTrue(diagnostics.contains("\(spec.path):\(line):"), diagnostics)
        }
    }

    func testSpecThatCreatesNoMeshSpec() throws {
        let source = """
        import Spec

        let tag = Header("tag") { Field("kind", bits: 8) }
        print("declared \\(tag.declaration.name), but no spec")
        """
        try assertRejected(source, atLine: 1, "created no MeshSpec", "exactly one")
    }

    func testSpecThatCreatesTwoMeshSpecs() throws {
        let source = """
        import Spec

        let first = MeshSpec("first") {
            Parser(start: "ethernet") {
                State("ethernet") { Extract(ethernet); Transition(.accept) }
            }
            TracingPoint("nic", hooks: .ingress)
        }
        let second = MeshSpec("second") { // ERROR
            Parser(start: "ethernet") {
                State("ethernet") { Extract(ethernet); Transition(.accept) }
            }
            TracingPoint("nic", hooks: .ingress)
        }
        """
        try assertRejected(source, "exactly one MeshSpec", "created 2")
    }

    func testSpecPrintsDoNotCorruptTheIR() throws {
        let source = """
        import Spec

        print("{ not json, printed before the spec")
        let spec = MeshSpec("chatty") {
            Parser(start: "ethernet") {
                State("ethernet") { Extract(ethernet); Transition(.accept) }
            }
            for point in ["nic", "vport"] {
                TracingPoint(point, hooks: .ingress, .egress)
            }
        }
        print("spec \\(spec.ir.name) built")
        """
        let spec = try writeSpec(source)
        let loaded = try Fixture.load(spec)
        XCTAssertEqual(loaded.ir.name, "chatty")
        XCTAssertEqual(loaded.ir.points.map(\.name), ["nic", "vport"])

        let result = try Fixture.runTool([spec.path, "--emit", "ir"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try SpecEncoding.decode(Data(result.stdout.utf8)), loaded.ir)
        XCTAssertFalse(result.stdout.contains("not json"))
        // The spec's own output is passed on, on standard error.
        XCTAssertTrue(result.stderr.contains("{ not json, printed before the spec"), result.stderr)
        XCTAssertTrue(result.stderr.contains("spec chatty built"), result.stderr)
    }

    func testUnchangedSpecComesFromTheCacheAndAChangedOneRecompiles() throws {
        let cache = Fixture.makeTemporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: cache) }
        let spec = try writeSpec(SpecSource.spec())

        let first = try Fixture.load(spec, cache: cache)
        XCTAssertFalse(first.cached)
        let second = try Fixture.load(spec, cache: cache)
        XCTAssertTrue(second.cached)
        XCTAssertEqual(second.ir, first.ir)

        try SpecSource.spec(body: "    Hop(\"loop\", from: .ingress(of: \"nic\"), to: .egress(of: \"nic\"))")
            .write(to: spec, atomically: true, encoding: .utf8)
        let changed = try Fixture.load(spec, cache: cache)
        XCTAssertFalse(changed.cached)
        XCTAssertEqual(changed.ir.hops.map(\.name), ["loop"])
        XCTAssertTrue(try Fixture.load(spec, cache: cache).cached)
    }

    func testToolUsesMESHTRACE_CACHE_DIR() throws {
        let cache = Fixture.makeTemporaryDirectory().appendingPathComponent("nested")
        addTeardownBlock { try? FileManager.default.removeItem(at: cache.deletingLastPathComponent()) }
        let spec = try writeSpec(SpecSource.spec())
        let result = try Fixture.runTool([spec.path, "--emit", "ir"], cache: cache)
        XCTAssertEqual(result.status, 0, result.stderr)
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        XCTAssertEqual(entries.filter { $0.hasPrefix("spec-") && !$0.hasSuffix(".partial") }.count, 1, "\(entries)")
    }

    func testUnreadableSpec() throws {
        let directory = Fixture.makeTemporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.swift")
        XCTAssertThrowsError(try Fixture.load(missing)) { error in
            guard case SpecLoadError.unreadable(let path, _) = error else {
                return XCTFail("expected unreadable, got \(error)")
            }
            XCTAssertEqual(path, missing.path)
        }
    }
}
