import ArgumentParser
import Foundation
import Lab
import Spec

/// What tracing adds to a request on the testbed: the same load with and without meshtrace-run
/// on both nodes, interleaved in one run, for the original and the proposed request formats.
struct Overhead: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure what tracing adds: end-to-end latency (open loop) and wrk throughput, runners off and on, interleaved.",
        discussion: "Targets: latency +2 % at most (median), throughput -2 % at most, in both formats."
    )

    @OptionGroup var options: TestbedOptions

    @Option(help: "The spec to generate and attach.")
    var spec = "specs/mesh.swift"

    @Option(help: "Rounds; each runs every format off then on (odd rounds) or on then off (even ones).")
    var rounds = 3

    @Option(help: "Open-loop request rate, requests a second.")
    var rate = 80.0

    @Option(help: "Seconds of open-loop load per phase.")
    var latencySeconds = 10.0

    @Option(help: "Seconds of wrk per phase.")
    var wrkSeconds = 5

    @Flag(help: "Also a phase with the programs attached and the runners stopped (SIGSTOP): the kernel side's cost alone.")
    var pausedRunners = false

    @Flag(help: "Also a phase with an empty tc program at the same points and hooks, counted by the kernel: the live floor our programs' figures compare with.")
    var emptyFloor = false

    @Option(help: "The empty tc program's C source, for --empty-floor.")
    var emptyProgram = "Benchmarks/empty.bpf.c"

    @Option(help: "Leave the testbed up at the end (it is torn down otherwise, and when interrupted).")
    var keep = false

    func run() throws {
        let testbed = try options.testbed()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrace-overhead-\(getpid())")
        try InterruptTeardown.install(testbed, alsoRemove: work)
        defer { try? FileManager.default.removeItem(at: work) }
        // The original format (context after ~1 KiB of headers, found with a 2 KiB anywhere
        // window) and the proposed one (context first, the spec's fixed window).
        let shapes: [(String, Placement, [String])] = [
            ("original (context last, anywhere 2 KiB)", .anywhere, ["--placement", "anywhere", "--window", "2048"]),
            ("proposed (context first, fixed)", .fixed, []),
        ]
        let formats = try shapes.map { name, placement, flags in
            OverheadRun.Format(name: name, placement: placement,
                               object: try TracingRun.generate(spec: spec, flags: flags, into: work.appendingPathComponent("\(placement)")).object)
        }
        var settings = OverheadRun.Options()
        settings.rounds = rounds
        settings.rate = rate
        settings.latencySeconds = latencySeconds
        settings.wrkSeconds = wrkSeconds
        settings.pausedRunners = pausedRunners
        if emptyFloor { settings.emptyProgram = try EmptyPrograms.compile(URL(fileURLWithPath: emptyProgram), into: work) }
        // The objects first: a spec or a program that does not build fails before any namespace exists.
        try testbed.up()
        defer { if !keep { try? testbed.down() } }
        print(String(format: "== overhead: %d round(s), runners off/on alternating (ABBA); open loop %.0f req/s x %.0f s, wrk %d connections x %d s",
                     rounds, rate, latencySeconds, settings.connections, wrkSeconds))
        let phases = try OverheadRun(testbed: testbed, options: settings).run(formats) { print($0) }
        print(Self.table(formats.map { OverheadComparison(format: $0.name, phases: phases) }))
    }

    static func table(_ comparisons: [OverheadComparison]) -> String {
        var lines = ["format                                   runner  median[us]   p99[us]  wrk[req/s]  errors   events   joined  runner CPU[s]  [us/event]"
                     + "  programs[us/req]  runners[us/req]  CPU[us/wrk req]"]
        for c in comparisons {
            for (label, side) in [("off", c.off), ("on", c.on), ("paused", c.paused), ("empty", c.empty)] {
                guard let side else { continue }
                lines.append(c.format.padding(toLength: 41, withPad: " ", startingAt: 0) + label.padding(toLength: 6, withPad: " ", startingAt: 0)
                    + String(format: " %10.1f %9.1f %11.1f %7d %8d %8d %14.2f %11.1f %17.2f %16.2f %16.1f", side.median * 1e6, side.p99 * 1e6,
                             side.requestsPerSecond, side.errors, side.events, side.joined, side.runnerCPUSeconds, side.runnerMicrosecondsPerEvent,
                             side.programMicrosecondsPerRequest, side.runnerMicrosecondsPerRequest, side.cpuMicrosecondsPerWrkRequest))
            }
            lines.append(String(format: "%@ on/off: median %.3fx (target <= 1.020), p99 %.3fx, throughput %.3fx (target >= 0.980); wrk phase to phase +-%.1f %% off, +-%.1f %% on",
                                c.format as NSString, c.medianRatio, c.p99Ratio, c.throughputRatio,
                                c.off.requestsPerSecondSpread * 100, c.on.requestsPerSecondSpread * 100))
            for (what, ratios) in [("paired rounds", c.paired), ("paused runners, paired rounds", c.pausedPaired)] {
                if let ratios { lines.append(paired(c.format, what, ratios)) }
            }
            lines.append(ownWork(c))
        }
        return lines.joined(separator: "\n")
    }

    /// Tracing's own work per request, as the kernel and the runners account for it: figures the
    /// machine's drift from phase to phase does not blur, and what they bound.
    static func ownWork(_ c: OverheadComparison) -> String {
        let on = c.on, programs = on.programMicrosecondsPerRequest, runners = on.runnerMicrosecondsPerRequest
        let offCPU = c.off.cpuMicrosecondsPerWrkRequest
        let line = String(format: "%@ tracing's own work (on): programs %.2f us a request (the kernel's run-time statistics: %llu runs, %.0f ns a run), "
                          + "runners %.2f us of CPU a request; the path's CPU off %.1f us a wrk request, so tracing is %.2f %% of it "
                          + "(the most a CPU-bound node loses in throughput) and the programs %.3f %% of the off median (the most they add to a request inline)",
                          c.format as NSString, programs, on.programRuns, on.nanosecondsPerProgramRun, runners, offCPU,
                          offCPU > 0 ? (programs + runners) / offCPU * 100 : .nan, c.off.median > 0 ? programs / (c.off.median * 1e6) * 100 : .nan)
        guard let empty = c.empty, empty.programRuns > 0 else { return line }
        return line + String(format: "; an empty tc program at the same points: %.0f ns a run, %.2f us a request, so ours is %.2fx it a run and %.2fx a request",
                             empty.nanosecondsPerProgramRun, empty.programMicrosecondsPerRequest, on.nanosecondsPerProgramRun / empty.nanosecondsPerProgramRun,
                             programs / empty.programMicrosecondsPerRequest)
    }

    static func paired(_ format: String, _ what: String, _ ratios: OverheadComparison.Paired) -> String {
        let (median, throughput) = (ratios.median, ratios.throughput)
        return String(format: "%@ %@ (per round over off, median [min .. max]): median %.3fx [%.3f .. %.3f], throughput %.3fx [%.3f .. %.3f]",
                      format as NSString, what as NSString, median.median, median.low, median.high, throughput.median, throughput.low, throughput.high)
    }
}
