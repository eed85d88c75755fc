import BPF
import Codegen
import Foundation
import Runner
import Spec
import SpecLoader

/// One generated object of the matrix.
struct ObjectConfig: Hashable, Comparable {
    var profile: LoopProfile
    var placement: Placement
    var window: Int

    var label: String { "\(profile.rawValue) \(placement.rawValue) \(window) B" }

    static func < (a: Self, b: Self) -> Bool {
        (LoopProfile.allCases.firstIndex(of: a.profile)!, a.placement.rawValue, a.window)
            < (LoopProfile.allCases.firstIndex(of: b.profile)!, b.placement.rawValue, b.window)
    }
}

/// Generates `specs/<spec>.swift` objects from one set of C templates, each once, and loads
/// each `loads` times.
final class MeshtraceObjects {
    let root: URL
    let work: URL
    let spec: String
    /// names this set's objects apart in `work` (objects of another set of templates sit beside them)
    let tag: String
    private let ir: SpecIR
    private let generator: Generator
    let loads: Int
    private var loaded: [ObjectConfig: [FrameRunner]] = [:]

    init(root: URL, work: URL, spec: String, loads: Int, templates: Templates, tag: String = "", defines: [String] = []) throws {
        self.root = root
        self.loads = loads
        self.work = work
        self.spec = spec
        self.tag = tag
        ir = try SpecLoader(runtime: try SpecRuntime.beside()).load(root.appendingPathComponent("specs/\(spec).swift").path).ir
        generator = Generator(driver: ClangDriver(defines: defines), templates: templates)
    }

    func generate(_ config: ObjectConfig) throws -> Generator.Output {
        let configured = try Overrides(window: config.window, placement: config.placement, profile: config.profile).applied(to: ir)
        return try generator.generate(ir: configured, specFile: "\(spec).swift", verify: true,
                                      into: work.appendingPathComponent("\(tag)\(spec)-\(config.window)-\(config.placement)-\(config.profile.rawValue)"))
    }

    /// The object for `config`, loaded `loads` times, each load its own JIT image (a second,
    /// independent set of loads with `entries` in its tables).
    func runners(_ config: ObjectConfig, entries: [TableEntry] = []) throws -> [FrameRunner] {
        if entries.isEmpty, let runners = loaded[config] { return runners }
        let path = try generate(config).object.path
        let runners = try (0..<loads).map { _ in
            let object = try LoadedObject(path: path)
            try TableFiller.add(entries, to: object)
            return try FrameRunner(object: object)
        }
        if entries.isEmpty { loaded[config] = runners }
        return runners
    }
}

extension FrameRunner {
    /// Mean ns per run over `repetitions` runs, in batches the ring buffer holds whole (the
    /// events drained between batches), so that every run that builds an event submits it.
    func nanoseconds(_ frame: [UInt8], repetitions: Int) throws -> Double {
        let batch = max(1, object.maps.events.maxEntries / (object.layout.size + RingBuffer.recordHeaderBytes) / 2)
        return try meanInBatches(repetitions: repetitions, batch: batch) { try nanosecondsPerRun(frame, repeat: $0) }
    }

    /// Kernel counters that say a timed run did not do all its work: a full ring, a failed tail call.
    func lostWork() throws -> [String: UInt64] {
        try object.namedCounters().filter { ["ringbuf_full", "tail_call_failed"].contains($0.key) && $0.value > 0 }
    }
}
