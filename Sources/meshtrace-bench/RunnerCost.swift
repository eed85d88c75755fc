import Foundation
import PacketKit
import Runner
import Spec

/// What the runner spends in user space per event, as a live run spends it (TraceSession.consume:
/// `RecordReader.record`, then `Joiner.add`; and `EventDecoder.decode` of each joined event when it
/// is printed or exported), next to what the kernel spends on the same packet in the same run. The
/// records are real: the fixed 200 B object's, one per flow, each fed to the joiner at both points
/// of the spec's first hop, as the two points of a node would see it.
struct RunnerCost {
    /// Distinct flows (TCP sequence numbers) per pass: every pass starts a new joiner.
    static let flows = 4096

    let objects: MeshtraceObjects
    let profile: LoopProfile

    func measure(rounds: Int, repetitions: Int) throws -> RunnerCostResult {
        let runner = try objects.runners(ObjectConfig(profile: profile, placement: .fixed, window: 200))[0]
        let spec = runner.object.manifest.spec
        guard let hop = spec.hops.first else { throw BenchError("\(spec.name) has no hop to join") }
        let request = BenchFrames.request(block: 200, position: .first)
        let reader = RecordReader(spec: spec, layout: runner.object.layout)
        var records: [[UInt8]] = []
        for flow in 0..<Self.flows {
            var packet = BenchFrames.requestPacket(block: 200, position: .first)
            packet.sequence = 0x1000_0000 &+ UInt32(flow) &* 1000
            let raw = try runner.rawEvents(for: packet.frame)
            guard raw.count == 1 else { throw BenchError("flow \(flow): the program built \(raw.count) events, not 1") }
            // the record as each end of the hop would write it
            for end in [hop.from, hop.to] {
                var record = try raw[0].withUnsafeBytes { try reader.record($0) }
                try reader.stamp(&record, timestamp: UInt64(flow) * 10_000 + (end == hop.from ? 0 : 5_000), point: end.point, hook: end.hook)
                records.append(record.bytes)
            }
        }
        let decoder = EventDecoder(spec: spec, layout: runner.object.layout)
        var decodeNs = Double.infinity, joinNs = Double.infinity, kernelNs = Double.infinity
        for _ in 0..<rounds {
            decodeNs = min(decodeNs, try Self.perEvent(records) { raw in _ = try raw.withUnsafeBytes { try decoder.decode($0) } })
            var joiner = Joiner(hops: spec.hops, events: reader)
            joinNs = min(joinNs, try Self.perEvent(records) { raw in _ = try raw.withUnsafeBytes { try joiner.add(record: $0) } })
            guard joiner.counters.joined == Self.flows else {
                throw BenchError("the joiner paired \(joiner.counters.joined) of \(Self.flows) flows: \(joiner.counters)")
            }
            kernelNs = min(kernelNs, try runner.nanoseconds(request.frame, repetitions: repetitions))
        }
        return RunnerCostResult(events: records.count, decodeNs: decodeNs, joinNs: joinNs, totalNs: joinNs + decodeNs, kernelNs: kernelNs)
    }

    /// Mean ns per event of `work` over every record.
    private static func perEvent(_ records: [[UInt8]], _ work: ([UInt8]) throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for record in records { try work(record) }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(records.count)
    }
}

struct RunnerCostResult: Encodable {
    /// events timed per pass (each flow at both points)
    var events: Int
    /// an event's decode, which only a joined packet that is printed or exported pays
    var decodeNs: Double
    /// the record taken from the ring and joined: all a summary run spends
    var joinNs: Double
    /// both: what a run that prints or exports its hops spends
    var totalNs: Double
    /// the kernel's programs on the same request (BPF_PROG_TEST_RUN, event included)
    var kernelNs: Double
}
