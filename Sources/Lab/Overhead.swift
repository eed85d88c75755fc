import Foundation
import Runner
import Spec

/// What tracing adds to a request: the same load with and without meshtrace-run on both nodes,
/// in one run, each round a phase per side and format, off then on (then paused) in odd rounds and
/// the reverse in even ones (ABBA), so that a drift of the machine over a run hits every side alike.
public struct OverheadRun {
    /// A request format and the object that traces it.
    public struct Format: Sendable {
        public var name: String
        public var placement: Placement
        public var object: String

        public init(name: String, placement: Placement, object: String) {
            self.name = name
            self.placement = placement
            self.object = object
        }
    }

    public struct Options: Sendable {
        public var rounds = 3
        public var rate = 80.0
        public var latencySeconds = 10.0
        public var wrkSeconds = 5
        public var connections = 8
        public var threads = 2
        /// Also a phase with the programs attached and the runners stopped: the kernel side alone.
        public var pausedRunners = false
        /// Also a phase with this compiled empty tc program at the same points (`EmptyPrograms`).
        public var emptyProgram: URL?

        public init() {}

        var sides: [Side] { [.off, .on] + (pausedRunners ? [.paused] : []) + (emptyProgram != nil ? [.empty] : []) }
    }

    /// What runs during a phase.
    public enum Side: String, Sendable, Codable {
        /// No runner, no program.
        case off
        /// meshtrace-run on both nodes, as a node agent runs it.
        case on
        /// The runners attached, then stopped (SIGSTOP) until the phase ends: every packet still runs
        /// the programs (an event that finds the ring full is counted and dropped), while the runners
        /// take no CPU: what tracing costs on the kernel side alone.
        case paused
        /// No runner; an empty tc program at the same points and hooks, counted by the kernel: the
        /// live floor of any tc program there.
        case empty
    }

    /// One phase: a format, with or without the runners.
    public struct Phase: Sendable, Codable {
        public var format: String
        public var side: Side
        public var round: Int
        public var latency: OpenLoopReport
        public var wrkRequestsPerSecond: Double
        /// The runners' events and joined packets, summed over both nodes (0 without them).
        public var events: Int
        public var joined: Int
        /// The runners' CPU seconds from attach to stop, summed over both nodes (0 without them).
        public var runnerCPUSeconds: Double
        /// The open loop's and wrk's requests.
        public var requests: Int
        /// The hooks' programs on both nodes as the kernel's run-time statistics counted them
        /// (`meshtrace-run --program-cost`; 0 without the runners): runs and ns, tail calls included.
        public var programRuns: UInt64
        public var programNs: UInt64
        /// The machine's busy CPU seconds while wrk ran (`MachineCPU`), and wrk's requests.
        public var wrkCPUSeconds: Double
        public var wrkRequests: Int
    }

    public let testbed: Testbed
    public let options: Options

    public init(testbed: Testbed, options: Options) {
        self.testbed = testbed
        self.options = options
    }

    public func run(_ formats: [Format], progress: (String) -> Void) throws -> [Phase] {
        var phases: [Phase] = []
        for round in 1...options.rounds {
            for format in formats {
                for side in round % 2 == 1 ? options.sides : options.sides.reversed() {
                    phases.append(try phase(format, side: side, round: round))
                    let last = phases[phases.count - 1]
                    progress(String(format: "round %d, %@, runner %@: median %.1f us, p99 %.1f us, wrk %.0f req/s, events %d, joined %d",
                                    round, format.name, side.rawValue, last.latency.medianMs * 1e3, last.latency.p99Ms * 1e3,
                                    last.wrkRequestsPerSecond, last.events, last.joined))
                }
            }
        }
        return phases
    }

    private func emptyPrograms(_ side: Side) throws -> EmptyPrograms? {
        guard side == .empty else { return nil }
        guard let object = options.emptyProgram else { throw LabError.invalidArgument("an empty-program phase needs the compiled empty program") }
        return try EmptyPrograms(testbed: testbed, object: object)
    }

    private func phase(_ format: Format, side: Side, round: Int) throws -> Phase {
        let tracing = TracingRun(testbed: testbed)
        // As a node agent runs: joins counted in the summary, no line per packet (the "on" phase would
        // otherwise measure a JSON line and a write per joined packet, and the lab reading them).
        let traced = side == .on || side == .paused
        if traced { try tracing.start(object: format.object, format: .summary, extraArguments: ["--program-cost"]) }
        if side == .paused { tracing.pause() }
        let empty = try emptyPrograms(side)
        defer { empty?.detach() }
        let latency: OpenLoopReport, wrk: LoadReport, wrkCPUSeconds: Double
        do {
            latency = try testbed.openLoop(rate: options.rate, seconds: options.latencySeconds, placement: format.placement)
            let busy = try MachineCPU.busySeconds()
            wrk = try testbed.load(LoadOptions(duration: options.wrkSeconds, connections: options.connections, threads: options.threads,
                                               placement: format.placement))
            wrkCPUSeconds = try MachineCPU.busySeconds() - busy
        } catch {
            tracing.stop()
            throw error
        }
        let floor = try empty?.counted()
        let outputs = tracing.stop()
        if let silent = outputs.first(where: { $0.summary == nil }) {
            throw LabError.unexpectedOutput("meshtrace-run on \(silent.node) printed no summary: \(silent.notes.suffix(3).joined(separator: " | "))")
        }
        let summaries = outputs.compactMap(\.summary)
        if let unread = outputs.first(where: { $0.cpuSeconds.isNaN }) {
            throw LabError.unexpectedOutput("meshtrace-run on \(unread.node): \(unread.notes.last ?? "no CPU time")")
        }
        let programs = summaries.flatMap { $0.programs?.values.map { $0 } ?? [] } + (floor.map { [$0] } ?? [])
        if traced, programs.isEmpty { throw LabError.unexpectedOutput("meshtrace-run --program-cost reported no program's runs") }
        return Phase(format: format.name, side: side, round: round, latency: latency, wrkRequestsPerSecond: wrk.requestsPerSecond,
                     events: summaries.map(\.events).reduce(0, +), joined: summaries.map(\.joined).reduce(0, +),
                     runnerCPUSeconds: outputs.map(\.cpuSeconds).reduce(0, +), requests: latency.sent + wrk.requests,
                     programRuns: programs.map(\.runs).reduce(0, +), programNs: programs.map(\.nanoseconds).reduce(0, +),
                     wrkCPUSeconds: wrkCPUSeconds, wrkRequests: wrk.requests)
    }
}

/// Both sides of one format, over every round: latencies pooled, throughput averaged; and the
/// on/off ratios of each round's pair of phases, whose spread says what the run can resolve.
public struct OverheadComparison: Sendable {
    /// One side's ratios to off, round by round: each figure as the median of the rounds' ratios
    /// and their range.
    public struct Paired: Sendable {
        public struct Ratio: Sendable {
            public var median: Double
            public var low: Double
            public var high: Double

            init(_ ratios: [Double]) {
                median = OpenLoopReport.quantile(ratios, 0.5)
                low = ratios.min() ?? .nan
                high = ratios.max() ?? .nan
            }
        }

        /// The open loop's median latency, wrk's throughput.
        public var median: Ratio
        public var throughput: Ratio

        /// nil when no round has both sides.
        init?(_ pairs: [(off: OverheadRun.Phase, other: OverheadRun.Phase)]) {
            guard !pairs.isEmpty else { return nil }
            median = Ratio(pairs.map { $0.other.latency.medianMs / $0.off.latency.medianMs })
            throughput = Ratio(pairs.map { $0.other.wrkRequestsPerSecond / $0.off.wrkRequestsPerSecond })
        }
    }

    public struct Side: Sendable {
        public var median: Double
        public var p99: Double
        public var requestsPerSecond: Double
        /// Half the range of the phases' wrk throughputs, over their mean: how far one phase
        /// strays from the next on this side alone (0 with one round).
        public var requestsPerSecondSpread: Double
        public var errors: Int
        public var events: Int
        public var joined: Int
        public var runnerCPUSeconds: Double
        /// The runners' CPU per event they read, in µs (0 without events).
        public var runnerMicrosecondsPerEvent: Double { events > 0 ? runnerCPUSeconds * 1e6 / Double(events) : 0 }
        public var requests: Int
        public var programRuns: UInt64
        public var programNs: UInt64
        public var wrkCPUSeconds: Double
        public var wrkRequests: Int
        /// What tracing itself did per request (open loop and wrk alike), in µs: the programs by the
        /// kernel's count, the runners by their CPU time (both 0 without tracing).
        public var programMicrosecondsPerRequest: Double { requests > 0 ? Double(programNs) / 1e3 / Double(requests) : 0 }
        public var nanosecondsPerProgramRun: Double { programRuns > 0 ? Double(programNs) / Double(programRuns) : 0 }
        public var runnerMicrosecondsPerRequest: Double { requests > 0 ? runnerCPUSeconds * 1e6 / Double(requests) : 0 }
        /// The machine's CPU per wrk request, in µs: every part of the path, tracing's when on.
        public var cpuMicrosecondsPerWrkRequest: Double { wrkRequests > 0 ? wrkCPUSeconds * 1e6 / Double(wrkRequests) : 0 }

        init(_ phases: [OverheadRun.Phase]) {
            let pooled = OpenLoopReport(pooling: phases.map(\.latency))
            median = pooled.medianMs / 1e3
            p99 = pooled.p99Ms / 1e3
            errors = pooled.failures.count
            let throughputs = phases.map(\.wrkRequestsPerSecond)
            requestsPerSecond = throughputs.reduce(0, +) / Double(max(phases.count, 1))
            requestsPerSecondSpread = requestsPerSecond > 0 ? ((throughputs.max() ?? 0) - (throughputs.min() ?? 0)) / 2 / requestsPerSecond : 0
            events = phases.map(\.events).reduce(0, +)
            joined = phases.map(\.joined).reduce(0, +)
            runnerCPUSeconds = phases.map(\.runnerCPUSeconds).reduce(0, +)
            requests = phases.map(\.requests).reduce(0, +)
            programRuns = phases.map(\.programRuns).reduce(0, +)
            programNs = phases.map(\.programNs).reduce(0, +)
            wrkCPUSeconds = phases.map(\.wrkCPUSeconds).reduce(0, +)
            wrkRequests = phases.map(\.wrkRequests).reduce(0, +)
        }
    }

    public var format: String
    public var off: Side
    public var on: Side
    /// With `pausedRunners`: the programs attached, the runners stopped.
    public var paused: Side?
    /// With `emptyProgram`: an empty tc program at the same points.
    public var empty: Side?
    /// Per round, on (or paused) over off.
    public var paired: Paired?
    public var pausedPaired: Paired?

    public init(format: String, phases: [OverheadRun.Phase]) {
        self.format = format
        let mine = phases.filter { $0.format == format }
        off = Side(mine.filter { $0.side == .off })
        on = Side(mine.filter { $0.side == .on })
        let pausedPhases = mine.filter { $0.side == .paused }
        paused = pausedPhases.isEmpty ? nil : Side(pausedPhases)
        let emptyPhases = mine.filter { $0.side == .empty }
        empty = emptyPhases.isEmpty ? nil : Side(emptyPhases)
        func pairs(_ side: OverheadRun.Side) -> [(off: OverheadRun.Phase, other: OverheadRun.Phase)] {
            Dictionary(grouping: mine, by: \.round).values.compactMap { round in
                guard let off = round.first(where: { $0.side == .off }), let other = round.first(where: { $0.side == side }) else { return nil }
                return (off, other)
            }
        }
        paired = Paired(pairs(.on))
        pausedPaired = Paired(pairs(.paused))
    }

    public var medianRatio: Double { on.median / off.median }
    public var p99Ratio: Double { on.p99 / off.p99 }
    public var throughputRatio: Double { on.requestsPerSecond / off.requestsPerSecond }
}
