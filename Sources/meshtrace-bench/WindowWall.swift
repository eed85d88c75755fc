import Foundation
import Spec

/// The largest window each can search with every program within the instruction budget.
struct WindowWall {
    let floors: Floors
    let objects: MeshtraceObjects
    static let budget = 4096

    func print() throws {
        // At a few KiB the unrolled baseline is already several times over the budget (and
        // clang's BPF backend gives up on it): an upper bound of 4096 B is enough.
        var low = 8, high = 4096
        while high - low > 8 {
            let middle = (low + high) / 2 / 8 * 8
            let instructions = (try? floors.baselineInstructions(window: middle)) ?? Int.max
            if instructions <= Self.budget { low = middle } else { high = middle }
        }
        Swift.print("== Largest search window with every program within \(Self.budget) instructions")
        Swift.print("baseline (paper-style, one program, unrolled byte scan): \(low) B")
        for profile in LoopProfile.allCases {
            var largest = 0
            for window in [8192, 16384, 32768, 65536] {
                guard let output = try? objects.generate(ObjectConfig(profile: profile, placement: .anywhere, window: window)) else { break }
                guard (output.report.programs.map(\.instructions).max() ?? 0) <= Self.budget else { break }
                largest = window
            }
            Swift.print(String(format: "meshtrace %-9@ (tail-called chunks): %6d B  (%.1fx the baseline)", profile.rawValue as NSString, largest, Double(largest) / Double(low)))
        }
    }
}
