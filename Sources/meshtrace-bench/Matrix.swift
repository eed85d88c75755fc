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
final class Matrix {
    let selection: Selection
    let floors: Floors
    let objects: MeshtraceObjects
    private var subjects: [Subject] = []
    private var rows: [BenchRow] = []
    private var frameKeys: [String: [UInt8]] = [:]
    private var runners: [FrameRunner] = []
    /// the hand-written objects, kept open: a BPFProgram does not keep its object alive
    private var floorObjects: [BPFObject] = []
    /// the baseline's window per request window (it has no window past 960 B within the budget)
    static let baselineWindows = [200: 200, 1024: 960]

    init(selection: Selection, floors: Floors, objects: MeshtraceObjects) {
        self.selection = selection
        self.floors = floors
        self.objects = objects
    }

    static func block(window: Int) -> Int { min(window, BenchFrames.maxBlock) }

    func build(progress: (String) -> Void) throws {
        let empty = try loadedFloor("empty", profile: .unrolled)
        let scan = try loadedFloor("bytescan", profile: .loops)
        let probe = BenchFrames.request(block: 200, position: .first).frame
        subjects.append(Subject(key: "empty") { try empty.nanoseconds(probe, repetitions: $0) })
        if selection.nonHTTP {
            for profile in selection.profiles {
                let config = ObjectConfig(profile: profile, placement: .fixed, window: 200)
                progress("generating \(config.label)")
                let runner = try objects.runner(config)
                runners.append(runner)
                for (name, frame) in BenchFrames.nonHTTP {
                    add(BenchRow(group: .nonHTTP, name: name, profile: profile, placement: .fixed, window: 200, frame: frame), runner: runner, frame: frame)
                }
                let filtered = try objects.runner(config, entries: [BenchFrames.filteredEntry])
                runners.append(filtered)
                add(BenchRow(group: .nonHTTP, name: BenchFrames.filteredClass, profile: profile, placement: .fixed, window: 200, frame: probe),
                    runner: filtered, frame: probe)
            }
        }
        for profile in selection.profiles {
            for placement in selection.placements {
                for window in selection.windows {
                    let config = ObjectConfig(profile: profile, placement: placement, window: window)
                    progress("generating \(config.label)")
                    let runner = try objects.runner(config)
                    runners.append(runner)
                    var positions = selection.positions
                    if placement == .anywhere && window == selection.windows.max() { positions.append(.everyFirst) }
                    for position in positions {
                        let request = BenchFrames.request(block: Self.block(window: window), position: position)
                        var row = BenchRow(group: .request, name: "context \(position.rawValue)", profile: profile, placement: placement,
                                           window: window, frame: request.frame)
                        row.position = position
                        row.blockBytes = request.block
                        add(row, runner: runner, frame: request.frame)
                    }
                }
            }
        }
        // The byte scan and the baseline on every request frame.
        for frame in Set(rows.filter { $0.group == .request }.map(\.frame)).sorted(by: { $0.count < $1.count }) {
            let key = "bytescan:\(frameKey(frame))"
            if !subjects.contains(where: { $0.key == key }) { subjects.append(Subject(key: key) { try scan.nanoseconds(frame, repetitions: $0) }) }
        }
        for (requestWindow, window) in Self.baselineWindows.sorted(by: { $0.key < $1.key }) where selection.windows.contains(requestWindow) {
            let (bpf, baseline) = try floors.loaded("baseline", profile: .unrolled, defines: ["BASELINE_WINDOW=\(window)"])
            floorObjects.append(bpf)
            for position in selection.positions {
                let frame = BenchFrames.request(block: Self.block(window: requestWindow), position: position).frame
                try bpf.map(named: "baseline_records")?.delete(key: Floors.sequenceKey(frame))
                _ = try baseline.nanoseconds(frame, repetitions: 1)
                let found = (try? bpf.map(named: "baseline_records")?.lookup(key: Floors.sequenceKey(frame))) != nil
                var row = BenchRow(group: .baseline, name: "baseline \(window) B window, context \(position.rawValue)", profile: nil, placement: nil,
                                   window: requestWindow, frame: frame)
                row.position = position
                row.event = found
                row.key = "baseline:\(requestWindow):\(position.rawValue)"
                rows.append(row)
                subjects.append(Subject(key: row.key) { try baseline.nanoseconds(frame, repetitions: $0) })
            }
        }
    }

    /// A floor loaded `Floors.placements` times: the kernel puts each JIT image at a random offset,
    /// and the byte scan's loop runs up to 1.4× slower in some placements than in others (2209 to
    /// 3317 ns on one 2 KiB frame, each load steady from run to run). A floor's figure is its
    /// fastest placement, so a ratio to it never flatters us.
    private func loadedFloor(_ name: String, profile: LoopProfile) throws -> FloorPlacements {
        let loads = try floors.loaded(name, profile: profile, times: Floors.placements)
        floorObjects += loads.map(\.0)
        return FloorPlacements(programs: loads.map(\.1))
    }

    private func frameKey(_ frame: [UInt8]) -> String {
        let key = "\(frame.count)-\(frame.hashValue)"
        frameKeys[key] = frame
        return key
    }

    private func add(_ row: BenchRow, runner: FrameRunner, frame: [UInt8]) {
        var row = row
        row.key = "\(row.group.rawValue):\(rows.count)"
        row.event = (try? runner.events(for: frame).count == 1) ?? false
        rows.append(row)
        subjects.append(Subject(key: row.key) { try runner.nanoseconds(frame, repetitions: $0) })
    }

    func run(_ timing: Interleaved, progress: (String) -> Void) throws -> BenchResult {
        progress("timing \(subjects.count) subjects: \(timing.rounds) rounds of \(timing.repetitions) runs each, interleaved")
        let best = try timing.best(of: subjects, progress: progress)
        for runner in runners {
            let lost = try runner.lostWork()
            guard lost.isEmpty else { throw BenchError("\(runner.object.manifest.spec.name): work lost while timing: \(lost)") }
        }
        let empty = best["empty"]!
        var result = BenchResult(empty: empty)
        let baseline = Dictionary(uniqueKeysWithValues: rows.filter { $0.group == .baseline }.map { ("\($0.window!):\($0.position!.rawValue)", best[$0.key]!) })
        for var row in rows {
            row.ns = best[row.key]!
            row.xEmpty = row.ns / empty
            if row.group == .request {
                row.scanNs = best["bytescan:\(frameKey(row.frame))"]
                row.xByteScan = row.scanNs.map { row.ns / $0 }
                if let position = row.position, let base = baseline["\(row.window!):\(position.rawValue)"] { row.xBaseline = row.ns / base }
            }
            result.rows.append(row)
        }
        result.derive()
        return result
    }
}
