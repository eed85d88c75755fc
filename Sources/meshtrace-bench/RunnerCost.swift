import Foundation
import PacketKit
import Runner
import Spec

/// What the runner spends in user space per event, as a live run spends it (TraceSession.consume:
/// `EventDecoder.decode`, then `Joiner.add`), next to what the kernel spends on the same packet in
/// the same run. The records are real: the fixed 200 B object's, one per flow, each fed to the
/// joiner at both points of the spec's first hop, as the two points of a node would see it.
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
        var records: [[UInt8]] = []
        for flow in 0..<Self.flows {
            var packet = BenchFrames.requestPacket(block: 200, position: .first)
            packet.sequence = 0x1000_0000 &+ UInt32(flow) &* 1000
            let raw = try runner.rawEvents(for: packet.frame)
            guard raw.count == 1 else { throw BenchError("flow \(flow): the program built \(raw.count) events, not 1") }
            records += raw
        }
        let decoder = EventDecoder(spec: spec, layout: runner.object.layout)
        var decodeNs = Double.infinity, totalNs = Double.infinity, kernelNs = Double.infinity
        for _ in 0..<rounds {
            decodeNs = min(decodeNs, try Self.perEvent(records, at: [hop.from]) { raw, _ in _ = try raw.withUnsafeBytes { try decoder.decode($0) } })
            var joiner = Joiner(hops: spec.hops)
            let joinedNs = try Self.perEvent(records, at: [hop.from, hop.to]) { raw, point in
                var event = try raw.withUnsafeBytes { try decoder.decode($0) }
                event.point = point.point
                event.hook = point.hook
                _ = joiner.add(event)
            }
            guard joiner.counters.joined == Self.flows else {
                throw BenchError("the joiner paired \(joiner.counters.joined) of \(Self.flows) flows: \(joiner.counters)")
            }
            totalNs = min(totalNs, joinedNs)
            kernelNs = min(kernelNs, try runner.nanoseconds(request.frame, repetitions: repetitions))
        }
        return RunnerCostResult(events: 2 * Self.flows, decodeNs: decodeNs, joinNs: totalNs - decodeNs, totalNs: totalNs, kernelNs: kernelNs)
    }

    /// Mean ns per event of `work` over every record at each of `points`.
    private static func perEvent(_ records: [[UInt8]], at points: [PointHook], _ work: ([UInt8], PointHook) throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for record in records {
            for point in points { try work(record, point) }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(records.count * points.count)
    }
}

struct RunnerCostResult: Encodable {
    /// events timed per pass (each flow at both points)
    var events: Int
    var decodeNs: Double
    var joinNs: Double
    var totalNs: Double
    /// the kernel's programs on the same request (BPF_PROG_TEST_RUN, event included)
    var kernelNs: Double
}
