import Codegen
import Foundation
import Lab
import ObjectModel
import PacketKit
import Runner
import TestSupport
import XCTest

/// Bad input gets a clear error or a counted, reported drop; nothing is lost silently.
final class HostileInputTests: XCTestCase {
    func runnerError(_ path: String) throws -> String {
        try Generated.requireRoot()
        do {
            _ = try LoadedObject(path: path)
            return "no error"
        } catch let error as RunnerError {
            return error.description
        }
    }

    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mt-hostile-\(UUID().uuidString).o").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testObjectsThatAreNotMeshtraceObjects() throws {
        try Generated.requireRoot()
        let good = try [UInt8](Data(contentsOf: Generated.output(.init(spec: "mesh")).object))
        XCTAssertTrue(try runnerError(temporaryFile(Array("not an object\n".utf8))).hasSuffix("it is not an ELF file"))
        XCTAssertTrue(try runnerError(temporaryFile(Array(good.prefix(2000)))).hasSuffix("it is truncated"))
        XCTAssertTrue(try runnerError("/nonexistent/mesh.bpf.o").hasSuffix("cannot read it"))
        // A BPF object meshtrace-gen did not write: the paper-style baseline of the benchmarks.
        let foreign = FileManager.default.temporaryDirectory.appendingPathComponent("mt-hostile-baseline-\(getpid()).o")
        defer { try? FileManager.default.removeItem(at: foreign) }
        let compiled = try Command.run(["clang"] + ClangDriver.flags(for: .unrolled) + ["-c", Generated.packageRoot.appendingPathComponent("Benchmarks/baseline.bpf.c").path, "-o", foreign.path])
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        XCTAssertTrue(try runnerError(foreign.path).hasSuffix("it has no .meshtrace section: not an object written by meshtrace-gen"))
        // The manifest's JSON with a byte flipped.
        var corrupted = good
        let marker = Array("\"schemaVersion\"".utf8)
        let at = try XCTUnwrap(corrupted.firstRange(of: marker)).lowerBound
        corrupted[at] = UInt8(ascii: "{")
        XCTAssertTrue(try runnerError(temporaryFile(corrupted)).contains("section is corrupted"))
    }

    /// A 4 KiB ring buffer under a burst nobody reads: every event is either delivered or counted
    /// as dropped, exactly, and the kernel path never waits.
    func testTinyRingBufferUnderABurst() throws {
        try Generated.requireRoot()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mt-hostile-ring-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let mesh = try String(contentsOf: Generated.packageRoot.appendingPathComponent("specs/mesh.swift"), encoding: .utf8)
        let tiny = directory.appendingPathComponent("tiny-ring.swift")
        try mesh.replacingOccurrences(of: "RingBuffer(\"events\", bytes: 1 << 20)", with: "RingBuffer(\"events\", bytes: 4096)")
            .replacingOccurrences(of: "MeshSpec(\"mesh\")", with: "MeshSpec(\"tiny-ring\")").write(to: tiny, atomically: true, encoding: .utf8)
        let runner = try Generated.runner(.init(spec: tiny.path))
        let frame = Requests.packet(Requests.http([("traceparent", Requests.traceparent)])).frame
        let burst = 500
        let start = Date()
        for _ in 0..<burst { try runner.run(frame) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "the kernel side never blocks on a full ring")
        let delivered = runner.drain().count
        let dropped = try runner.object.counters()[KernelCounter.ringbufFull.rawValue]
        XCTAssertGreaterThan(dropped, 0, "a 4 KiB ring cannot hold \(burst) events")
        XCTAssertGreaterThan(delivered, 0)
        XCTAssertEqual(delivered + Int(dropped), burst, "delivered \(delivered) + dropped \(dropped) = sent \(burst)")
        XCTAssertEqual(try runner.object.counters()[KernelCounter.events.rawValue], UInt64(delivered))
    }

    /// Only packet headers and trace-context bytes leave the kernel: secrets in other headers
    /// appear in no event and in no line the runner prints.
    func testSecretsNeverReachTheOutput() throws {
        let secrets = ["Cookie": "session=hunter2-cookie", "Authorization": "Bearer hunter2-token", "X-Api-Key": "hunter2-key"]
        var lines: [String] = []
        let writer = RecordWriter(format: .jsonl) { lines.append($0) }
        for spec in ["mesh", "plain-http", "overlays"] {
            let runner = try Generated.runner(.init(spec: spec))
            for context in [("traceparent", Requests.traceparent), ("traceparent", "00-abc"), ("X-B3-TraceId", "463ac35c9f6413ad")] {
                for secretsFirst in [false, true] {
                    let others = secrets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                    let headers = secretsFirst ? others + [context] : [context] + others
                    let frame = Requests.packet(Requests.http(headers)).frame
                    for raw in try runner.rawEvents(for: frame) {
                        XCTAssertNil(raw.firstRange(of: Array("hunter2".utf8)), "\(spec): a secret in an event record")
                    }
                    for event in try runner.events(for: frame) { writer.event(event) }
                }
            }
        }
        XCTAssertFalse(lines.isEmpty)
        XCTAssertFalse(lines.contains { $0.contains("hunter2") }, "a secret in the runner's output")
    }
}
