import BPF
import Export
import Foundation

/// What a run reports when it ends (and every `--interval`): the per-hop latency table and every
/// count of what was joined, left unmatched or dropped. One JSON line `{"type":"summary",…}` with
/// snake-case keys; `meshtrace-lab` reads it back with the same type.
public struct RunSummary: Codable, Sendable, Equatable {
    /// The record's discriminator in the JSON lines output.
    public var type = "summary"
    public var hops: [LatencySummary.Row]
    public var events: Int
    public var joined: Int
    public var unmatched: Int
    public var timedOut: Int
    public var evicted: Int
    public var duplicates: Int
    /// Joined packets whose second timestamp came first (clock trouble): counted, not summarised.
    public var negative: Int
    /// Records the runner could not decode.
    public var userDrops: Int
    /// Replay: frames larger than BPF_PROG_TEST_RUN takes.
    public var skippedFrames: Int
    /// The kernel's counters by label (`ringbuf_full`: events the kernel could not queue).
    public var kernel: [String: UInt64]
    /// Each exporter's counts by name (`otlp`, `influx`): exported, filtered, dropped by reason.
    public var exports: [String: ExportCounters]
    /// With `--program-cost`: each hook's program (by hook name) as the kernel counted it since it
    /// was loaded, the tail calls it made included.
    public var programs: [String: ProgramRunStatistics]? = nil

    /// The summary in a JSON line, or nil when the line is another record.
    public static func decoded(line: Substring) -> RunSummary? {
        guard line.contains("\"type\":\"summary\"") else { return nil }
        return try? RecordCoding.decoder.decode(RunSummary.self, from: Data(line.utf8))
    }
}
