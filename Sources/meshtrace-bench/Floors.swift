import BPF
import Codegen
import Foundation
import Spec
import Subprocess

/// The hand-written programs in Benchmarks/: the empty program and the byte-by-byte scan (the
/// floors every figure is a ratio to), the clock and the event record alone (what a traced
/// request cannot save), and the paper-style baseline.
struct Floors {
    let root: URL
    let work: URL
    let driver = ClangDriver()

    /// Compiles `Benchmarks/<name>.bpf.c` with `defines`; the object and its largest program's instruction count.
    func compile(_ name: String, profile: LoopProfile, defines: [String] = []) throws -> (URL, BPFObject) {
        let object = work.appendingPathComponent("\(name)\(defines.joined()).o")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let result = try Command.run([driver.clang] + ClangDriver.flags(for: profile) + defines.map { "-D\($0)" } + [
            "-c", root.appendingPathComponent("Benchmarks/\(name).bpf.c").path, "-o", object.path,
        ])
        guard result.status == 0 else { throw BenchError("Benchmarks/\(name).bpf.c does not compile: \(result.stderr)") }
        return (object, try BPFObject(path: object.path))
    }

    /// The object compiled once and loaded `times` times, each load its own JIT image.
    func loaded(_ name: String, profile: LoopProfile, defines: [String] = [], times: Int) throws -> [(BPFObject, BPFProgram)] {
        let (path, _) = try compile(name, profile: profile, defines: defines)
        return try (0..<times).map { _ in
            let bpf = try BPFObject(path: path.path)
            try bpf.load()
            guard let program = bpf.program(named: name) else { throw BenchError("Benchmarks/\(name).bpf.c has no program '\(name)'") }
            return (bpf, program)
        }
    }

    /// The baseline at `window` bytes: its instruction count (Int.max when clang left a loop in
    /// it: a loop is not the paper's kind of program).
    func baselineInstructions(window: Int) throws -> Int {
        let (_, bpf) = try compile("baseline", profile: .unrolled, defines: ["BASELINE_WINDOW=\(window)"])
        let programs = bpf.programs
        if programs.contains(where: { ControlFlow.backEdges($0.instructions) > 0 }) { return Int.max }
        return programs.map(\.instructionCount).max() ?? 0
    }

    /// The baseline keys its records by the inner TCP sequence number as on the wire.
    static func sequenceKey(_ frame: [UInt8]) -> [UInt8] {
        let tcp = BenchFrames.headerBytes - 20
        return Array(frame[(tcp + 4)..<(tcp + 8)])
    }
}

extension BPFProgram {
    /// A Subject run: mean ns per run of `frame`, the verdict checked.
    func nanoseconds(_ frame: [UInt8], repetitions: Int) throws -> Double {
        let timed = try nanosecondsPerRun(frame: frame, repeat: repetitions)
        guard timed.returnValue == 0 else { throw BenchError("\(name) returned \(timed.returnValue), not TC_ACT_OK") }
        return timed.ns
    }
}

/// The event floor's program with a consumer of its ring, drained between batches as meshtrace's
/// own objects are (FrameRunner.nanoseconds), so every run submits its record.
final class EventFloor {
    let object: BPFObject
    let program: BPFProgram
    private let ring: RingBuffer
    private let batch: Int

    init(object: BPFObject, program: BPFProgram, recordBytes: Int) throws {
        guard let events = object.map(named: "events") else { throw BenchError("Benchmarks/eventfloor.bpf.c has no map 'events'") }
        self.object = object
        self.program = program
        ring = try RingBuffer(map: events) { _ in }
        batch = max(1, events.maxEntries / (recordBytes + RingBuffer.recordHeaderBytes) / 2)
    }

    func nanoseconds(_ frame: [UInt8], repetitions: Int) throws -> Double {
        try meanInBatches(repetitions: repetitions, batch: batch) { count in
            let ns = try program.nanoseconds(frame, repetitions: count)
            ring.poll(timeoutMs: 0)
            return ns
        }
    }
}

/// The mean ns per run of `repetitions` runs made in equal batches of at most `batch` (`run`
/// times one batch and returns its mean); every batch has at least 2 runs, as
/// `BPFProgram.nanosecondsPerRun` needs.
func meanInBatches(repetitions: Int, batch: Int, _ run: (Int) throws -> Double) rethrows -> Double {
    let batches = max(1, min((repetitions + batch - 1) / batch, repetitions / 2))
    var total = 0.0
    for index in 0..<batches {
        let count = repetitions / batches + (index < repetitions % batches ? 1 : 0)
        total += try run(count) * Double(count)
    }
    return total / Double(repetitions)
}
