import Foundation
import Spec

/// The text form of a run: every figure with its ratios.
enum BenchReport {
    static func print(_ r: BenchResult) {
        let floors = Set(r.rows.compactMap(\.scanNs)).sorted()
        Swift.print("\n== Floors (BPF_PROG_TEST_RUN, CPU \(r.cpu), best of \(r.rounds) x \(r.repetitions) runs, interleaved; every program loaded \(r.loads) times, the scans \(r.scanLoads), the fastest load's figure)")
        Swift.print(String(format: "empty tc program:                 %7.1f ns (slowest load %.1f ns)", r.empty, r.emptySlowestLoad))
        if let low = floors.first, let high = floors.last {
            Swift.print(String(format: "byte-by-byte scan of the frame:   %7.1f .. %.1f ns (%.1fx .. %.1fx empty)", low, high, low / r.empty, high / r.empty))
        }
        let words = Set(r.rows.compactMap(\.wordScanNs)).sorted()
        if let low = words.first, let high = words.last {
            Swift.print(String(format: "word-at-a-time scan of the frame: %7.1f .. %.1f ns (%.1fx .. %.1fx empty)", low, high, low / r.empty, high / r.empty))
        }
        let copies = Set(r.rows.compactMap(\.copyScanNs)).sorted()
        if let low = copies.first, let high = copies.last {
            Swift.print(String(format: "the same of a copy in map memory: %6.1f .. %.1f ns (%.1fx .. %.1fx empty)", low, high, low / r.empty, high / r.empty))
        }
        Swift.print(String(format: "the clock alone (bpf_ktime_get_ns): %5.1f ns  %5.2fx empty", r.clock, r.clock / r.empty))
        if let floor = r.eventFloor, let bytes = r.eventRecordBytes {
            Swift.print(String(format: "clock + one %d B ring record:     %7.1f ns  %5.2fx empty (the least any traced request costs)", bytes, floor, floor / r.empty))
        }

        let nonHTTP = r.rows.filter { $0.group == .nonHTTP }
        if !nonHTTP.isEmpty {
            Swift.print("\n== Packets that are not traced (specs/mesh.swift, fixed, 200 B window): ns, x empty (target <= 2.5x), x the paper-style baseline on the same frame"
                + (r.paged ? " (--paged)" : ""))
            for row in nonHTTP {
                let base = row.xBaseline.map { String(format: "%5.2fx base", $0) } ?? "(no base)"
                Swift.print(col(row.name, 30) + col(row.profile!.rawValue, 9)
                    + String(format: "%7.1f ns  %5.2fx  ", row.ns, row.xEmpty) + base + String(format: "  (slowest load %5.2fx empty)", row.slowestLoadNs / r.empty)
                    + against(row))
            }
        }

        Swift.print("\n== Requests (VXLAN, W3C traceparent): ns, x empty, x byte scan of the same frame, x paper-style baseline"
            + (r.paged ? "; every packet byte read through the helper, as on a paged skb (--paged)" : ""))
        Swift.print("profile   placement window  block  context      event       ns   x empty  x scan  x base  slowest load x empty"
            + (r.againstTemplates == nil ? "" : "  x against"))
        for row in r.rows where row.group == .request {
            let base = row.xBaseline.map { String(format: "%6.2f", $0) } ?? "     -"
            Swift.print(col(row.profile!.rawValue, 9) + col(row.placement!.rawValue, 9) + String(format: "%6d %6d  ", row.window!, row.blockBytes!)
                + col(row.position!.rawValue, 12) + col(row.event == true ? "yes" : "no", 5)
                + String(format: "%9.1f %8.2f %7.2f  ", row.ns, row.xEmpty, row.xByteScan ?? 0) + base
                + String(format: "  %8.2f", row.slowestLoadNs / r.empty) + against(row))
        }
        let baselines = r.rows.filter { $0.group == .baseline }
        for row in baselines {
            Swift.print(col(row.name, 44) + String(format: "%9.1f ns %8.2fx empty (found: %@)", row.ns, row.xEmpty, (row.event == true ? "yes" : "no") as NSString))
        }

        if !r.perKiB.isEmpty {
            Swift.print("\n== anywhere search per KiB of header block (slope from the 200 B request), next to the byte, word and copy scans' slopes")
            Swift.print("(targets: ratio <= 0.5 every profile, <= 0.25 best; word/byte, copy/byte: the word scan's own ratio, and the word scan's of a copy, the floors of any search that reads words, and of one that copies them first)")
            Swift.print("profile   window  context   ns/KiB  byte scan ns/KiB  ratio  word scan ns/KiB  word/byte  copy scan ns/KiB  copy/byte")
            for k in r.perKiB {
                Swift.print(col(k.profile.rawValue, 9) + String(format: "%6d  ", k.window) + col(k.position.rawValue, 7)
                    + String(format: "%8.1f  %16.1f  %5.2f  %16.1f  %9.2f  %16.1f  %9.2f", k.nsPerKiB, k.byteScanNsPerKiB, k.ratio,
                                    k.wordScanNsPerKiB, k.wordScanRatio, k.copyScanNsPerKiB, k.copyScanRatio))
            }
        }
        printStops(r)
        printAgainst(r)
        if let runner = r.runner {
            Swift.print("\n== The runner, user space, per event (\(runner.events) real records per pass, each flow at both points of a hop; best of \(r.rounds) passes)")
            Swift.print(String(format: "join %.0f ns per event (all a summary run does) + decode %.0f ns (when the hop is printed or exported) = %.0f ns; "
                               + "the kernel's programs on the same request %.0f ns: the runner %.1fx (summary) .. %.1fx the kernel",
                               runner.joinNs, runner.decodeNs, runner.totalNs, runner.kernelNs, runner.joinNs / runner.kernelNs, runner.totalNs / runner.kernelNs))
        }

        Swift.print("\n== Targets")
        for t in r.targets {
            Swift.print((t.met ? "met      " : "NOT MET  ") + col(t.name, 86) + String(format: "%6.2f (limit %.2f)", t.value, t.limit))
        }
        if let floor = r.eventFloor {
            Swift.print(String(format: "of the context-first limit, the clock and the ring record alone take %.2fx empty here (the clock %.2fx)",
                               floor / r.empty, r.clock / r.empty))
        }
        if let floor = r.perKiB.map(\.wordScanRatio).max() {
            Swift.print(String(format: "of the per-KiB limits, reading the frame a word at a time and finding its newlines alone takes %.2fx the byte scan", floor))
        }
        if let floor = r.perKiB.map(\.copyScanRatio).max() {
            Swift.print(String(format: "and the same of a copy in map memory, loaded and wiped as our chunks are, %.2fx", floor))
        }
    }

    /// The cost stops growing once every context is found or the blank line is reached.
    private static func printStops(_ r: BenchResult) {
        var lines: [String] = []
        for profile in LoopProfile.allCases {
            guard let short = r.request(profile, .anywhere, 200, .first) else { continue }
            if let four = r.request(profile, .anywhere, 4096, .last), let eight = r.request(profile, .anywhere, 8192, .last) {
                lines.append(col(profile.rawValue, 9) + String(format: "blank line reached: %d B block, 4 KiB window %.1f ns, 8 KiB window %.1f ns (%.2fx)",
                                                              eight.blockBytes!, four.ns, eight.ns, eight.ns / four.ns))
            }
            if let every = r.rows.first(where: { $0.profile == profile && $0.placement == .anywhere && $0.position == .everyFirst }) {
                lines.append(col(profile.rawValue, 9) + String(format: "every context first in a %d B block, %d B window: %.1f ns = %.2fx the 200 B request",
                                                              every.blockBytes!, every.window!, every.ns, every.ns / short.ns))
            }
        }
        guard !lines.isEmpty else { return }
        Swift.print("\n== anywhere: the cost stops growing")
        lines.forEach { Swift.print($0) }
    }

    /// The same row on the other templates' object: ours over theirs (below 1: ours is faster).
    private static func against(_ row: BenchRow) -> String {
        guard let ratio = row.xAgainst, let ns = row.againstNs else { return "" }
        return String(format: "  %.3f (%.1f ns)", ratio, ns)
    }

    private static func printAgainst(_ r: BenchResult) {
        guard let directory = r.againstTemplates else { return }
        let ratios = r.rows.compactMap(\.xAgainst).sorted()
        guard let low = ratios.first, let high = ratios.last else { return }
        Swift.print("\n== Against the templates in \(directory), timed in the same rounds: ours over theirs (below 1: ours is faster)")
        Swift.print(String(format: "%d rows: median %.3f, %.3f .. %.3f", ratios.count, ratios[ratios.count / 2], low, high))
        for group in [BenchRow.Group.nonHTTP, .request] {
            let own = r.rows.filter { $0.group == group }.compactMap(\.xAgainst).sorted()
            guard !own.isEmpty else { continue }
            Swift.print(String(format: "%@: median %.3f, %.3f .. %.3f", group.rawValue as NSString, own[own.count / 2], own.first!, own.last!))
        }
    }

    /// `text` left-aligned in `width` columns and a space (String(format:)'s %-Ns does not pad %@).
    private static func col(_ text: String, _ width: Int) -> String {
        text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) + " "
    }
}
