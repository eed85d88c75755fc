import BPF
import Foundation
import Runner
import Spec

/// What to measure: the packet classes, per profile, placement, window and context position.
struct Selection {
    var profiles: [LoopProfile]
    var placements: [Placement]
    var windows: [Int]
    var positions: [BenchFrames.Position]
    var nonHTTP: Bool
}

/// Builds every subject of a run, times them interleaved, and derives the ratios.
///
/// Every program is loaded `loads` times and each load is its own subject (`key@load`): the kernel
/// puts each JIT image at a random offset, and a program's speed depends on it (the byte scan
/// 2209 to 3317 ns on one 2 KiB frame, each load steady from run to run; mesh's ACK path 25 to 27 ns).
/// A figure is its fastest load's, floors and ours alike; the slowest load's is kept beside it.
final class Matrix {
    let selection: Selection
    let floors: Floors
    let objects: MeshtraceObjects
    /// objects of another set of templates, timed beside ours on every one of our rows
    let against: MeshtraceObjects?
    private var subjects: [Subject] = []
    private var rows: [BenchRow] = []
    private var frameKeys: [String: [UInt8]] = [:]
    private var runners: [FrameRunner] = []
    /// the hand-written objects, kept open: a BPFProgram does not keep its object alive
    private var floorObjects: [BPFObject] = []
    /// the event floor's record size (the spec's event)
    private var eventRecordBytes: Int?
    /// loads per subject key
    private var loadCounts: [String: Int] = [:]
    /// the baseline's window per request window (it has no window past 960 B within the budget)
    static let baselineWindows = [200: 200, 1024: 960]
    /// Loads of the scans per load of ours. A scan is one loop, whose speed depends on where its
    /// JIT image falls more than anything of ours does (the byte scan's fastest of four loads was
    /// 280 ns in one run and 357 ns in the next on the same 200 B frame), and the per-KiB ratios
    /// divide by it: a slow load of the floor would flatter us.
    static let scanLoadFactor = 4

    init(selection: Selection, floors: Floors, objects: MeshtraceObjects, against: MeshtraceObjects? = nil) {
        self.selection = selection
        self.floors = floors
        self.objects = objects
        self.against = against
    }

    static func block(window: Int) -> Int { min(window, BenchFrames.maxBlock) }

    func build(progress: (String) -> Void) throws {
        let empty = try loadedFloor("empty", profile: .unrolled)
        let clock = try loadedFloor("clock", profile: .unrolled)
        let scan = try loadedFloor("bytescan", profile: .loops, loadFactor: Self.scanLoadFactor)
        let wordScan = try loadedFloor("wordscan", profile: .loops, loadFactor: Self.scanLoadFactor)
        let copyScan = try loadedFloor("copyscan", profile: .loops, loadFactor: Self.scanLoadFactor)
        let probe = BenchFrames.request(block: 200, position: .first).frame
        addTimed("empty", empty.map { program in { try program.nanoseconds(probe, repetitions: $0) } })
        addTimed("clock", clock.map { program in { try program.nanoseconds(probe, repetitions: $0) } })
        if selection.nonHTTP {
            for profile in selection.profiles {
                let config = ObjectConfig(profile: profile, placement: .fixed, window: 200)
                progress("generating \(config.label)")
                for (name, frame) in BenchFrames.nonHTTP {
                    try add(BenchRow(group: .nonHTTP, name: name, profile: profile, placement: .fixed, window: 200, frame: frame), config: config)
                }
                try add(BenchRow(group: .nonHTTP, name: BenchFrames.filteredClass, profile: profile, placement: .fixed, window: 200, frame: probe),
                        config: config, entries: [BenchFrames.filteredEntry])
            }
        }
        for profile in selection.profiles {
            for placement in selection.placements {
                for window in selection.windows {
                    let config = ObjectConfig(profile: profile, placement: placement, window: window)
                    progress("generating \(config.label)")
                    var positions = selection.positions
                    if placement == .anywhere && window == selection.windows.max() { positions.append(.everyFirst) }
                    for position in positions {
                        let request = BenchFrames.request(block: Self.block(window: window), position: position)
                        var row = BenchRow(group: .request, name: "context \(position.rawValue)", profile: profile, placement: placement,
                                           window: window, frame: request.frame)
                        row.position = position
                        row.blockBytes = request.block
                        try add(row, config: config)
                    }
                }
            }
        }
        // The event floor, with a record the size of the spec's event.
        if let eventBytes = runners.first?.object.layout.size {
            let loads = try floors.loaded("eventfloor", profile: .unrolled, defines: ["EVENT_BYTES=\(eventBytes)"], times: objects.loads)
            floorObjects += loads.map(\.0)
            let eventFloors = try loads.map { try EventFloor(object: $0.0, program: $0.1, recordBytes: eventBytes) }
            addTimed("eventfloor", eventFloors.map { floor in { try floor.nanoseconds(probe, repetitions: $0) } })
            eventRecordBytes = eventBytes
        }
        // The byte, word and copy scans and the baseline on every request frame.
        for frame in Set(rows.filter { $0.group == .request }.map(\.frame)).sorted(by: { $0.count < $1.count }) {
            for (name, programs) in [("bytescan", scan), ("wordscan", wordScan), ("copyscan", copyScan)] {
                let key = "\(name):\(frameKey(frame))"
                if loadCounts[key] == nil { addTimed(key, programs.map { program in { try program.nanoseconds(frame, repetitions: $0) } }) }
            }
        }
        for (requestWindow, window) in Self.baselineWindows.sorted(by: { $0.key < $1.key })
        where selection.windows.contains(requestWindow) || (selection.nonHTTP && requestWindow == 200) {
            let loads = try floors.loaded("baseline", profile: .unrolled, defines: ["BASELINE_WINDOW=\(window)"], times: objects.loads)
            floorObjects += loads.map(\.0)
            if requestWindow == 200 {
                // The packets that are not traced, through the same hand-written parse: like for like.
                for (name, frame) in BenchFrames.nonHTTP {
                    addTimed("baseline:\(name)", loads.map { load in { try load.1.nanoseconds(frame, repetitions: $0) } })
                }
            }
            guard selection.windows.contains(requestWindow) else { continue }
            for position in selection.positions {
                let frame = BenchFrames.request(block: Self.block(window: requestWindow), position: position).frame
                let (bpf, baseline) = loads[0]
                try bpf.map(named: "baseline_records")?.delete(key: Floors.sequenceKey(frame))
                try baseline.testRun(frame: frame)
                let found = (try? bpf.map(named: "baseline_records")?.lookup(key: Floors.sequenceKey(frame))) != nil
                var row = BenchRow(group: .baseline, name: "baseline \(window) B window, context \(position.rawValue)", profile: nil, placement: nil,
                                   window: requestWindow, frame: frame)
                row.position = position
                row.event = found
                row.key = "baseline:\(requestWindow):\(position.rawValue)"
                rows.append(row)
                addTimed(row.key, loads.map { load in { try load.1.nanoseconds(frame, repetitions: $0) } })
            }
        }
    }

    /// A floor compiled once and loaded `loadFactor` times per load.
    private func loadedFloor(_ name: String, profile: LoopProfile, loadFactor: Int = 1) throws -> [BPFProgram] {
        let loads = try floors.loaded(name, profile: profile, times: objects.loads * loadFactor)
        floorObjects += loads.map(\.0)
        return loads.map(\.1)
    }

    /// One subject per load of what `key` names.
    private func addTimed(_ key: String, _ loads: [(Int) throws -> Double]) {
        loadCounts[key] = loads.count
        for (index, run) in loads.enumerated() { subjects.append(Subject(key: "\(key)@\(index)", run: run)) }
    }

    private func frameKey(_ frame: [UInt8]) -> String {
        let key = "\(frame.count)-\(frame.hashValue)"
        frameKeys[key] = frame
        return key
    }

    /// A row of ours, on `config`'s object (with `entries` in its tables); with `against`, the
    /// same row on the other templates' object too, which must agree on whether it builds an event.
    private func add(_ row: BenchRow, config: ObjectConfig, entries: [TableEntry] = []) throws {
        var row = row
        row.key = "\(row.group.rawValue):\(rows.count)"
        let frame = row.frame
        func timed(_ key: String, _ objects: MeshtraceObjects) throws -> Bool {
            let loads = try objects.runners(config, entries: entries)
            for runner in loads where !runners.contains(where: { $0 === runner }) { runners.append(runner) }
            addTimed(key, loads.map { runner in { try runner.nanoseconds(frame, repetitions: $0) } })
            return loads.allSatisfy { (try? $0.events(for: frame).count == 1) ?? false }
        }
        row.event = try timed(row.key, objects)
        if let against {
            let event = try timed("against:\(row.key)", against)
            guard event == row.event else {
                throw BenchError("\(config.label), \(row.name): ours \(row.event == true ? "builds" : "does not build") an event, the --against-templates object \(event ? "does" : "does not")")
            }
        }
        rows.append(row)
    }

    func run(_ timing: Interleaved, progress: (String) -> Void) throws -> BenchResult {
        progress("timing \(subjects.count) subjects (\(objects.loads) loads of each program): \(timing.rounds) rounds of \(timing.repetitions) runs each, interleaved")
        let best = try timing.best(of: subjects, progress: progress)
        for runner in runners {
            let lost = try runner.lostWork()
            guard lost.isEmpty else { throw BenchError("\(runner.object.manifest.spec.name): work lost while timing: \(lost)") }
        }
        /// The fastest and the slowest load's best round.
        func figure(_ key: String) -> (fastest: Double, slowest: Double) {
            let perLoad = (0..<loadCounts[key]!).map { best["\(key)@\($0)"]! }
            return (perLoad.min()!, perLoad.max()!)
        }
        let empty = figure("empty")
        var result = BenchResult(empty: empty.fastest)
        result.loads = objects.loads
        result.scanLoads = objects.loads * Self.scanLoadFactor
        result.emptySlowestLoad = empty.slowest
        result.clock = figure("clock").fastest
        if let eventRecordBytes {
            result.eventFloor = figure("eventfloor").fastest
            result.eventRecordBytes = eventRecordBytes
        }
        var baseline: [String: Double] = [:]
        for row in rows where row.group == .baseline { baseline["\(row.window!):\(row.position!.rawValue)"] = figure(row.key).fastest }
        for var row in rows {
            (row.ns, row.slowestLoadNs) = figure(row.key)
            row.xEmpty = row.ns / empty.fastest
            if loadCounts["against:\(row.key)"] != nil {
                row.againstNs = figure("against:\(row.key)").fastest
                row.xAgainst = row.againstNs.map { row.ns / $0 }
            }
            if row.group == .nonHTTP, loadCounts["baseline:\(row.name)"] != nil { row.xBaseline = row.ns / figure("baseline:\(row.name)").fastest }
            if row.group == .request {
                row.scanNs = figure("bytescan:\(frameKey(row.frame))").fastest
                row.xByteScan = row.scanNs.map { row.ns / $0 }
                row.wordScanNs = figure("wordscan:\(frameKey(row.frame))").fastest
                row.copyScanNs = figure("copyscan:\(frameKey(row.frame))").fastest
                if let position = row.position, let base = baseline["\(row.window!):\(position.rawValue)"] { row.xBaseline = row.ns / base }
            }
            result.rows.append(row)
        }
        result.derive()
        return result
    }
}
