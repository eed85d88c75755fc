import Foundation
import Spec

/// One timed packet class.
struct BenchRow: Encodable {
    enum Group: String, Codable { case nonHTTP = "non-http", request, baseline }
    var group: Group
    var name: String
    var profile: LoopProfile?
    var placement: Placement?
    var window: Int?
    var position: BenchFrames.Position?
    var frameBytes: Int
    var blockBytes: Int?
    /// the run built and submitted an event (requests), or found the context (baseline)
    var event: Bool?
    /// the fastest load's best round, and the slowest load's
    var ns = 0.0
    var slowestLoadNs = 0.0
    var xEmpty = 0.0
    /// the byte scan over the same frame, and the ratio to it
    var scanNs: Double?
    var xByteScan: Double?
    /// the word scan (Benchmarks/wordscan.bpf.c) over the same frame
    var wordScanNs: Double?
    /// the same word scan of a copy in map memory, chunk by chunk, wiped after (Benchmarks/copyscan.bpf.c)
    var copyScanNs: Double?
    var xBaseline: Double?
    /// the same frame on the object of `--against-templates`, timed in the same rounds, and ours over it
    var againstNs: Double?
    var xAgainst: Double?
    var key = ""
    var frame: [UInt8]

    init(group: Group, name: String, profile: LoopProfile?, placement: Placement?, window: Int?, frame: [UInt8]) {
        self.group = group
        self.name = name
        self.profile = profile
        self.placement = placement
        self.window = window
        self.frame = frame
        frameBytes = frame.count
    }

    enum CodingKeys: String, CodingKey {
        case group, name, profile, placement, window, position, frameBytes, blockBytes, event, ns, slowestLoadNs, xEmpty, scanNs, xByteScan, wordScanNs, copyScanNs, xBaseline, againstNs, xAgainst
    }

}

/// The `anywhere` search's cost per KiB of header block: the slope from the 200 B request to a
/// longer one (same profile and position), next to the byte, word and copy scans' slopes over
/// the same frames.
struct PerKiB: Encodable {
    var profile: LoopProfile
    var window: Int
    var position: BenchFrames.Position
    var nsPerKiB: Double
    var byteScanNsPerKiB: Double
    var ratio: Double
    /// the word scan's slope, and its ratio to the byte scan's: the least any search that reads a
    /// word at a time could reach
    var wordScanNsPerKiB: Double
    var wordScanRatio: Double
    /// the copy scan's slope, and its ratio to the byte scan's: the least any search that copies
    /// the packet into map memory before reading it, as ours does, could reach
    var copyScanNsPerKiB: Double
    var copyScanRatio: Double
}

struct Target: Encodable {
    var name: String
    var value: Double
    var limit: Double
    var met: Bool { value <= limit }
    enum CodingKeys: String, CodingKey { case name, value, limit, met }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(value, forKey: .value)
        try c.encode(limit, forKey: .limit)
        try c.encode(met, forKey: .met)
    }
}

struct BenchResult: Encodable {
    var cpu = 0
    var rounds = 0
    var repetitions = 0
    /// loads of every program; each figure is its fastest load's
    var loads = 0
    /// loads of the byte, word and copy scans (Matrix.scanLoadFactor times more)
    var scanLoads = 0
    var empty: Double
    var emptySlowestLoad = 0.0
    /// the clock read alone, and the clock with one event record (eventRecordBytes) submitted
    var clock = 0.0
    var eventFloor: Double?
    var eventRecordBytes: Int?
    /// the runner's user-space work per event (RunnerCost), when measured
    var runner: RunnerCostResult?
    /// the templates every row was also timed against (`--against-templates`)
    var againstTemplates: String?
    /// our programs read every packet byte through the helper, as on a real (paged) skb
    var paged = false
    var rows: [BenchRow] = []
    var perKiB: [PerKiB] = []
    var targets: [Target] = []

    init(empty: Double) { self.empty = empty }

    func request(_ profile: LoopProfile, _ placement: Placement, _ window: Int, _ position: BenchFrames.Position) -> BenchRow? {
        rows.first { $0.group == .request && $0.profile == profile && $0.placement == placement && $0.window == window && $0.position == position }
    }

    mutating func derive() {
        let profiles = LoopProfile.allCases.filter { p in rows.contains { $0.profile == p } }
        for profile in profiles {
            for position in [BenchFrames.Position.first, .middle, .last] {
                guard let short = request(profile, .anywhere, 200, position), let shortScan = short.scanNs else { continue }
                for window in [1024, 2048, 4096, 8192] {
                    guard let long = request(profile, .anywhere, window, position), let longScan = long.scanNs,
                          let shortWords = short.wordScanNs, let longWords = long.wordScanNs,
                          let shortCopy = short.copyScanNs, let longCopy = long.copyScanNs else { continue }
                    let kib = Double(long.blockBytes! - short.blockBytes!) / 1024
                    let scanKiB = Double(long.frameBytes - short.frameBytes) / 1024
                    let mine = (long.ns - short.ns) / kib, naive = (longScan - shortScan) / scanKiB, words = (longWords - shortWords) / scanKiB
                    let copied = (longCopy - shortCopy) / scanKiB
                    perKiB.append(PerKiB(profile: profile, window: window, position: position, nsPerKiB: mine, byteScanNsPerKiB: naive, ratio: mine / naive,
                                         wordScanNsPerKiB: words, wordScanRatio: words / naive,
                                         copyScanNsPerKiB: copied, copyScanRatio: copied / naive))
                }
            }
        }
        let nonHTTP = rows.filter { $0.group == .nonHTTP }
        if let worst = nonHTTP.max(by: { $0.xEmpty < $1.xEmpty }) {
            targets.append(Target(name: "non-HTTP, worst class (\(worst.name), \(worst.profile!.rawValue)) / empty", value: worst.xEmpty, limit: 2.5))
        }
        for profile in profiles {
            if let row = request(profile, .fixed, 200, .first) {
                targets.append(Target(name: "fixed context-first request with event, 200 B, \(profile.rawValue) / empty", value: row.xEmpty, limit: 10))
            }
        }
        var bestProfile: Double?
        for profile in profiles {
            let ratios = perKiB.filter { $0.profile == profile }.map(\.ratio)
            guard let worst = ratios.max() else { continue }
            targets.append(Target(name: "anywhere scan per KiB / byte scan, \(profile.rawValue) (worst window and position)", value: worst, limit: 0.5))
            bestProfile = min(bestProfile ?? .infinity, worst)
        }
        if let bestProfile { targets.append(Target(name: "anywhere scan per KiB / byte scan, best profile", value: bestProfile, limit: 0.25)) }
    }
}
