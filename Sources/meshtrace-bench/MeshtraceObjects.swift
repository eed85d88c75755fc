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

/// Generates and loads `specs/<spec>.swift` objects, each once.
final class MeshtraceObjects {
    let root: URL
    let work: URL
    let spec: String
    private let ir: SpecIR
    private let generator: Generator
    private var loaded: [ObjectConfig: FrameRunner] = [:]

    init(root: URL, work: URL, spec: String) throws {
        self.root = root
        self.work = work
        self.spec = spec
        ir = try SpecLoader(runtime: try SpecRuntime.beside()).load(root.appendingPathComponent("specs/\(spec).swift").path).ir
        generator = Generator(driver: ClangDriver(), templates: try Templates())
    }

    func generate(_ config: ObjectConfig) throws -> Generator.Output {
        let configured = try Overrides(window: config.window, placement: config.placement, profile: config.profile).applied(to: ir)
        return try generator.generate(ir: configured, specFile: "\(spec).swift", verify: true,
                                      into: work.appendingPathComponent("\(spec)-\(config.window)-\(config.placement)-\(config.profile.rawValue)"))
    }

    /// The loaded object for `config` (a second, independent load with `entries` in its tables).
    func runner(_ config: ObjectConfig, entries: [TableEntry] = []) throws -> FrameRunner {
        if entries.isEmpty, let runner = loaded[config] { return runner }
        let object = try LoadedObject(path: try generate(config).object.path)
        try TableFiller.add(entries, to: object)
        let runner = try FrameRunner(object: object)
        if entries.isEmpty { loaded[config] = runner }
        return runner
    }
}

extension FrameRunner {
    /// Mean ns per run over `repetitions` runs, in batches the ring buffer holds whole (the
    /// events drained between batches), so that every run that builds an event submits it.
    func nanoseconds(_ frame: [UInt8], repetitions: Int) throws -> Double {
        let record = object.layout.size + 8 // BPF_RINGBUF_HDR_SZ
        let batch = max(1, min(repetitions, object.maps.events.maxEntries / record / 2))
        var total = 0.0, done = 0
        while done < repetitions {
            let count = min(batch, repetitions - done)
            total += Double(try nanosecondsPerRun(frame, repeat: count)) * Double(count)
            done += count
        }
        return total / Double(repetitions)
    }

    /// Kernel counters that say a timed run did not do all its work: a full ring, a failed tail call.
    func lostWork() throws -> [String: UInt64] {
        try object.namedCounters().filter { ["ringbuf_full", "tail_call_failed"].contains($0.key) && $0.value > 0 }
    }
}
