import Foundation
import Spec
import SpecLoader
import Subprocess
import XCTest

/// Where the tests find the package, the built tools, and a place for their files.
enum Fixture {
    /// The package root, from this file's path (Tests/SpecTests/Support/Fixture.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// One compile cache for the whole test run, in a temporary directory; `MESHTRACE_CACHE_DIR`
    /// points at it too, so nothing a test runs touches the user's cache.
    static let sharedCache: URL = {
        let cache = makeTemporaryDirectory().appendingPathComponent("cache")
        setenv("MESHTRACE_CACHE_DIR", cache.path, 1)
        atexit { try? FileManager.default.removeItem(at: Fixture.sharedCache.deletingLastPathComponent()) }
        return cache
    }()

    /// A fresh directory under the system's temporary directory, outside the repository.
    static func makeTemporaryDirectory() -> URL {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath()
        let directory = base.appendingPathComponent("meshtrace-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        precondition(!directory.path.hasPrefix(packageRoot.path + "/"), "temporary directory \(directory.path) is inside the repository")
        return directory
    }

    /// The directory holding the built products (`meshtrace-gen`, `libSpec.so`): the one the
    /// test bundle runs from, else a `.build*/debug` of the package.
    static let buildDirectory: URL? = {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        // macOS: …/debug/meshtracePackageTests.xctest is a bundle; the products are beside it.
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
        let builds = ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot.path)) ?? [])
            .filter { $0.hasPrefix(".build") }.sorted()
        candidates += builds.map { packageRoot.appendingPathComponent($0).appendingPathComponent("debug") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("meshtrace-gen").path) }
    }()

    static func tool() throws -> URL {
        guard let directory = buildDirectory else {
            throw XCTSkip("meshtrace-gen is not built next to the tests; run `swift build` first")
        }
        return directory.appendingPathComponent("meshtrace-gen")
    }

    /// Loads a spec through `SpecLoader`, as `meshtrace-gen` does.
    static func load(_ spec: URL, cache: URL = sharedCache) throws -> SpecLoader.Loaded {
        try SpecLoader(runtime: SpecRuntime.beside(), cacheDirectory: cache).load(spec.path)
    }

    /// Runs the built `meshtrace-gen` with the test cache.
    static func runTool(_ arguments: [String], cache: URL = sharedCache) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["MESHTRACE_CACHE_DIR"] = cache.path
        return try Command.run([tool().path] + arguments, environment: environment)
    }
}

/// Small spec files for the tests, built from a valid skeleton.
enum SpecSource {
    /// Ethernet → IPv4 → TCP → accept.
    static let plainStates = """
            State("ethernet") {
                Extract(ethernet)
                Select(ethernet.etherType) { Case(0x0800, "ipv4") }
            }
            State("ipv4") {
                Extract(ipv4)
                Select(ipv4.protocol) { Case(6, "tcp") }
            }
            State("tcp") {
                Extract(tcp)
                Transition(.accept)
            }
    """

    /// As `plainStates`, plus UDP 4789 → VXLAN → inner Ethernet → inner IPv4 → TCP.
    static let vxlanStates = """
            State("ethernet") {
                Extract(ethernet)
                Select(ethernet.etherType) { Case(0x0800, "ipv4") }
            }
            State("ipv4") {
                Extract(ipv4)
                Select(ipv4.protocol) { Case(6, "tcp"); Case(17, "udp") }
            }
            State("udp") {
                Extract(udp)
                Select(udp.dstPort) { Case(4789, "vxlan") }
            }
            State("vxlan") {
                Extract(vxlan)
                EnterTunnel(.vxlan)
                Transition("inner_ethernet")
            }
            State("inner_ethernet") {
                Extract(ethernet)
                Select(ethernet.etherType) { Case(0x0800, "inner_ipv4") }
            }
            State("inner_ipv4") {
                Extract(ipv4)
                Select(ipv4.protocol) { Case(6, "tcp") }
            }
            State("tcp") {
                Extract(tcp)
                Transition(.accept)
            }
    """

    /// A whole spec: `preamble` at top level, `states` in the parser (started at "ethernet"),
    /// `body` after it, and a tracing point "nic" with both hooks.
    static func spec(preamble: String = "", states: String = plainStates, body: String = "") -> String {
        """
        import Spec
        \(preamble)
        let spec = MeshSpec("test") {
            Parser(start: "ethernet") {
        \(states)
            }
        \(body)
            TracingPoint("nic", hooks: .ingress, .egress)
        }

        """
    }
}

extension XCTestCase {
    /// Writes `source` to a fresh temporary directory outside the repository; the directory
    /// is removed when the test ends.
    func writeSpec(_ source: String, named name: String = "spec.swift") throws -> URL {
        let directory = Fixture.makeTemporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(name)
        try source.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The 1-based line of `source` that carries the `// ERROR` marker.
    func markedLine(in source: String, file: StaticString = #filePath, line: UInt = #line) -> Int? {
        let lines = source.components(separatedBy: "\n").enumerated().filter { $0.element.contains("// ERROR") }
        XCTAssertEqual(lines.count, 1, "the spec must mark exactly one line with // ERROR", file: file, line: line)
        return lines.first.map { $0.offset + 1 }
    }

    /// Loads `source` through the real loader and asserts that it is rejected with exactly one
    /// `path:line: error: message`, at the line marked `// ERROR` (or `line`), whose message
    /// holds every keyword.
    func assertRejected(
        _ source: String, atLine expectedLine: Int? = nil, _ keywords: String...,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        guard let errorLine = expectedLine ?? markedLine(in: source, file: file, line: line) else { return }
        let spec = try writeSpec(source)
        do {
            let loaded = try Fixture.load(spec)
            XCTFail("spec was accepted: \(loaded.ir.name)", file: file, line: line)
        } catch let error as SpecLoadError {
            let diagnostics = error.description.components(separatedBy: "\n").filter { $0.contains(" error: ") }
            XCTAssertEqual(diagnostics.count, 1, "expected one error, got:\n\(error)", file: file, line: line)
            let prefix = "\(spec.path):\(errorLine): error: "
            guard let diagnostic = diagnostics.first(where: { $0.hasPrefix(prefix) }) else {
                XCTFail("no error at \(prefix) in:\n\(error)", file: file, line: line)
                return
            }
            for keyword in keywords {
                XCTAssertTrue(diagnostic.contains(keyword), "'\(keyword)' missing from: \(diagnostic)", file: file, line: line)
            }
        }
    }

    /// Loads `source` through the real loader and asserts that it is accepted.
    @discardableResult
    func assertAccepted(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws -> SpecIR? {
        let spec = try writeSpec(source)
        do {
            return try Fixture.load(spec).ir
        } catch let error as SpecLoadError {
            XCTFail("spec was rejected:\n\(error)", file: file, line: line)
            return nil
        }
    }
}
