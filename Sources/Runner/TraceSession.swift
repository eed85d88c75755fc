import BPF
import Foundation
import ObjectModel
import PacketKit
import Spec

/// A live run: the object loaded and attached, events consumed, joined per hop and reported,
/// everything detached at the end (also on SIGINT/SIGTERM).
public final class TraceSession {
    public struct Options {
        public var bindings: [PointBinding]
        public var duration: Double?
        public var interval: Double?
        public var printEvents: Bool
        public var joinCapacity: Int
        public var joinTimeoutNs: UInt64
        /// `--discover`: the node's own points instead of `bindings`.
        public var discovery: DiscoveryOptions?
        /// Where joined hops go besides the output (OTLP, InfluxDB, /metrics).
        public var exporters: HopExporters?
        /// `--program-cost`: the kernel's run-time statistics on while the run lasts, and each
        /// hook's program's runs and ns in the summary.
        public var programCost: Bool

        public init(bindings: [PointBinding], duration: Double? = nil, interval: Double? = nil, printEvents: Bool = false,
                    joinCapacity: Int = 65536, joinTimeoutNs: UInt64 = 2_000_000_000, discovery: DiscoveryOptions? = nil,
                    exporters: HopExporters? = nil, programCost: Bool = false) {
            self.bindings = bindings
            self.duration = duration
            self.interval = interval
            self.printEvents = printEvents
            self.joinCapacity = joinCapacity
            self.joinTimeoutNs = joinTimeoutNs
            self.discovery = discovery
            self.exporters = exporters
            self.programCost = programCost
        }
    }

    public let object: LoadedObject
    let options: Options
    let writer: RecordWriter
    let log: (String) -> Void
    var joiner: Joiner<RecordReader>
    var summary: LatencySummary
    let reader: RecordReader
    let decoder: EventDecoder
    /// Whether a joined packet's events are decoded: for the records printed and the exporters;
    /// a summary needs only each hop's latency.
    let decodesJoins: Bool
    public private(set) var userDrops = 0
    public private(set) var skippedFrames = 0
    public private(set) var events = 0
    /// Set while `run` is attached: names what the points see.
    var points: TracingPoints?
    /// Interface names by ifindex, refreshed with the points: for exported spans.
    var interfaceNames: [UInt32: String] = [:]
    var replaying = false
    /// How long the runner waits for a wakeup before it reads the ring anyway. Each wait that ends
    /// costs a context switch: at 10 ms they were three quarters of an idle runner's CPU (6 ms a
    /// second here); a hop's timestamps are the kernel's, so reading it later changes no figure.
    static let ringReadMs: Int32 = 100

    /// Held while a `programCost` run lasts: the kernel counts runs only while it lives.
    private var runTimeStatistics: RunTimeStatistics?

    public init(object: LoadedObject, options: Options, writer: RecordWriter, log: @escaping (String) -> Void) {
        self.object = object
        self.options = options
        self.writer = writer
        self.log = log
        self.decoder = EventDecoder(spec: object.manifest.spec, layout: object.layout)
        self.reader = RecordReader(spec: object.manifest.spec, layout: object.layout)
        self.joiner = Joiner(hops: object.manifest.spec.hops, events: reader, capacity: options.joinCapacity, timeoutNs: options.joinTimeoutNs)
        self.decodesJoins = writer.format != .summary || options.exporters != nil
        self.summary = LatencySummary(hops: object.manifest.spec.hops.map(\.name))
    }

    /// Handles one raw record: print it, or join it.
    func consume(_ bytes: UnsafeRawBufferPointer) {
        guard !options.printEvents else {
            guard let record = try? reader.record(bytes) else {
                userDrops += 1
                return
            }
            return handle(record)
        }
        guard let joins = try? joiner.add(record: bytes) else {
            userDrops += 1
            return
        }
        events += 1
        deliver(joins)
    }

    func handle(_ record: RingRecord) {
        events += 1
        if options.printEvents {
            guard let event = decode(record) else { return }
            writer.event(event, pod: points?.pod(at: event))
            return
        }
        deliver(joiner.add(record))
    }

    /// Each joined packet into the summary, and decoded for the output and the exporters.
    private func deliver(_ joins: [Joiner<RecordReader>.Join]) {
        for join in joins {
            summary.record(hop: join.hopIndex, latencyNs: join.latencyNs)
            guard decodesJoins else { continue }
            guard let first = decode(join.first), let second = decode(join.second) else { continue }
            var packet = JoinedPacket(hop: join.hop, latencyNs: join.latencyNs, first: first, second: second, names: nil)
            packet.names = points?.names(for: packet)
            writer.packet(packet)
            options.exporters?.record(packet, replayed: replaying, vportPoint: options.discovery?.vportPoint ?? "vport") { [interfaceNames] in
                $0.flatMap { interfaceNames[$0] }
            }
        }
    }

    /// A record `reader` took (its length and line ends checked) as an event; a failure is
    /// counted as a user-space drop.
    private func decode(_ record: RingRecord) -> PacketEvent? {
        guard let event = try? record.bytes.withUnsafeBytes({ try decoder.decode($0) }) else {
            userDrops += 1
            return nil
        }
        return event
    }

    /// Runs until `shouldStop` says so or the duration ends.
    public func run(shouldStop: () -> Bool) throws {
        try startProgramCost()
        let ring = try RingBuffer(map: object.maps.events) { [unowned self] bytes in self.consume(bytes) }
        let attacher: TracingPoints = try options.discovery.map { try NodeAgent(object: object, options: $0) }
            ?? Attacher(object: object, bindings: options.bindings)
        points = attacher
        defer { attacher.detachAll() }
        try attacher.refresh()
        attacher.takeNotes().forEach(log)
        refreshInterfaceNames()
        if let address = options.exporters?.metricsAddress { log("serving /metrics on \(address)") }
        writer.header()
        let start = Date()
        var lastRefresh = start, lastSummary = start
        while !shouldStop() {
            // The programs wake the runner only when the ring is three quarters full (MT_RINGBUF_WAKE_BYTES):
            // every `ringReadMs` it reads what is there, so a hop is printed and exported within that.
            ring.poll(timeoutMs: Self.ringReadMs)
            let now = Date()
            if let duration = options.duration, now.timeIntervalSince(start) >= duration { break }
            if now.timeIntervalSince(lastRefresh) >= 1 {
                try attacher.refresh()
                attacher.takeNotes().forEach(log)
                refreshInterfaceNames()
                options.exporters?.update(try currentSummary(), pendingJoins: joiner.pendingCount)
                lastRefresh = now
            }
            if let interval = options.interval, now.timeIntervalSince(lastSummary) >= interval {
                try report()
                lastSummary = now
            }
        }
        attacher.detachAll()
        ring.poll(timeoutMs: 0)
        joiner.finish()
        try finishExports()
        try report()
    }

    func refreshInterfaceNames() {
        interfaceNames = Dictionary(InterfaceSet.current().map { (UInt32(bitPattern: $0.index), $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// Sends what the exporters hold (a few seconds at most) so the summary's counts are final.
    func finishExports() throws {
        guard let exporters = options.exporters else { return }
        try exporters.shutdown()
        exporters.update(try currentSummary(), pendingJoins: joiner.pendingCount)
    }

    /// Runs every frame of the captures through the loaded programs (BPF_PROG_TEST_RUN), each
    /// capture at its point and hook, in capture-time order, with the captures' timestamps:
    /// the same decoding, join and report as live, offline.
    public func replay(_ inputs: [ReplayInput]) throws {
        try startProgramCost()
        let runner = try FrameRunner(object: object)
        var frames: [(frame: CapturedFrame, input: ReplayInput)] = []
        for input in inputs {
            do {
                frames += try CaptureReader.frames(in: input.path).map { ($0, input) }
            } catch let failure as CaptureReader.Failure {
                throw RunnerError.usage(failure.description)
            }
        }
        frames.sort { $0.frame.timestampNs < $1.frame.timestampNs }
        replaying = true
        writer.header()
        for (frame, input) in frames {
            guard frame.bytes.count <= FrameRunner.maxFrameBytes else {
                skippedFrames += 1
                continue
            }
            for raw in try runner.rawEvents(for: frame.bytes, hook: input.hook) {
                guard var record = try? raw.withUnsafeBytes({ try reader.record($0) }) else {
                    userDrops += 1
                    continue
                }
                try reader.stamp(&record, timestamp: frame.timestampNs, point: input.point, hook: input.hook)
                handle(record)
            }
        }
        if skippedFrames > 0 {
            log("\(skippedFrames) frame(s) larger than BPF_PROG_TEST_RUN takes (\(FrameRunner.maxFrameBytes) bytes) were skipped")
        }
        joiner.finish()
        try finishExports()
        try report()
    }

    /// Turns the kernel's run-time statistics on for this run when asked: before the first packet,
    /// so every run of the programs, loaded by this runner, is counted.
    private func startProgramCost() throws {
        guard options.programCost, runTimeStatistics == nil else { return }
        do {
            runTimeStatistics = try RunTimeStatistics()
        } catch {
            throw RunnerError.privilege("--program-cost needs the kernel's BPF run-time statistics (Linux 5.8, CAP_SYS_ADMIN): \(error)")
        }
    }

    /// Each hook's program as the kernel counted it, its tail calls included; nil unless counted.
    func programCosts() -> [String: ProgramRunStatistics]? {
        guard runTimeStatistics != nil else { return nil }
        var costs: [String: ProgramRunStatistics] = [:]
        for hook in Hook.allCases {
            costs[hook.rawValue] = object.programs.entry(for: hook).runStatistics
        }
        return costs
    }

    /// The summary so far: the per-hop table, the join's counts, the drops.
    public func currentSummary() throws -> RunSummary {
        let counters = joiner.counters
        return RunSummary(
            hops: summary.rows(), events: events, joined: counters.joined,
            unmatched: counters.unmatched, timedOut: counters.timedOut, evicted: counters.evicted, duplicates: counters.duplicates,
            negative: summary.negative, userDrops: userDrops, skippedFrames: skippedFrames, kernel: try object.namedCounters(),
            exports: options.exporters?.counters ?? [:], programs: programCosts()
        )
    }

    public func report() throws {
        let run = try currentSummary()
        log(Self.table(run.hops))
        log("events \(run.events), joined \(run.joined), unmatched \(run.unmatched), timed out \(run.timedOut), "
            + "evicted \(run.evicted), duplicates \(run.duplicates), negative \(run.negative); "
            + "dropped: kernel \(run.kernel[KernelCounter.ringbufFull.label] ?? 0) (ring buffer full), user \(run.userDrops)"
            + run.exports.sorted { $0.key < $1.key }.map { ", \($0.key) \($0.value.dropped) (exported \($0.value.exported), filtered \($0.value.filtered))" }.joined())
        func kernel(_ counter: KernelCounter) -> UInt64 { run.kernel[counter.label] ?? 0 }
        log("split requests: segments held \(kernel(.segmentsHeld)), resumed \(kernel(.segmentsResumed)); dropped: "
            + "FIN/RST \(kernel(.requestsClosed)), seq gap \(kernel(.requestsGap)), timed out \(kernel(.requestsTimedOut))")
        if let programs = run.programs {
            log("programs (the kernel's run-time statistics, each hook's tail calls included): "
                + programs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.runs) runs, " + String(format: "%.1f ns a run", $0.value.nanosecondsPerRun) }
                .joined(separator: "; "))
        }
        try writer.summary(run)
    }

    static func table(_ rows: [LatencySummary.Row]) -> String {
        let header = ["hop", "count", "min[us]", "median[us]", "mean[us]", "p90[us]", "p99[us]", "max[us]"]
        let lines: [[String]] = rows.map { row in
            let micros: [Double] = [Double(row.minNs), Double(row.medianNs), row.meanNs, Double(row.p90Ns), Double(row.p99Ns), Double(row.maxNs)]
            return [row.hop, String(row.count)] + micros.map { String(format: "%.1f", $0 / 1000) }
        }
        return ([header] + lines).map { cells in
            cells.enumerated().map { index, cell in
                let width = index == 0 ? 8 : 11
                let pad = String(repeating: " ", count: max(0, width - cell.count))
                return index == 0 ? cell + pad : pad + cell
            }.joined()
        }.joined(separator: "\n")
    }
}
