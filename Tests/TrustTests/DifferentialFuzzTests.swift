import Codegen
import Foundation
import ObjectModel
import PacketKit
import Reference
import Runner
import Spec
import TestSupport
import XCTest

/// Differential fuzzing: frames drawn from the specs' parser graphs and mutated third-party
/// captures run through the real kernel (BPF_PROG_TEST_RUN) and through the reference
/// interpreter; their events must agree byte for byte (the timestamp masked). A mismatch is
/// minimised, written as a pcap with the object beside it, and reported with the command that
/// replays it. See docs/fuzzing.md.
final class DifferentialFuzzTests: XCTestCase {
    struct Campaign {
        var configuration: Generated.Configuration
        var label: String
    }

    /// The CI campaigns per profile: 200 B fixed on the mesh spec (VLAN, VXLAN, IPIP), 1 KiB anywhere
    /// on plain HTTP (every format), 4 KiB anywhere on the overlays (IPv6, Geneve, GRE; a window
    /// larger than any test-run frame).
    static func campaigns(_ profile: LoopProfile) -> [Campaign] {
        [
            Campaign(configuration: .init(spec: "mesh", window: 200, placement: .fixed, profile: profile), label: "mesh-200-fixed"),
            Campaign(configuration: .init(spec: "plain-http", window: 1024, placement: .anywhere, profile: profile), label: "plain-http-1024-anywhere"),
            Campaign(configuration: .init(spec: "overlays", window: 4096, placement: .anywhere, profile: profile), label: "overlays-4096-anywhere"),
        ]
    }

    /// Frames per profile, shared out over its campaigns (CI: 103 000, so that over 100 000 are
    /// compared after the ones BPF_PROG_TEST_RUN refuses).
    static var framesPerProfile: Int {
        ProcessInfo.processInfo.environment["MESHTRACE_FUZZ_FRAMES"].flatMap { Int($0) } ?? 103_000
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["MESHTRACE_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x6d65_7368_7472_6163
    }

    static var outputDirectory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["MESHTRACE_FUZZ_OUT"] ?? "/tmp/meshtrace-fuzz")
    }

    /// Reproducers minimised and written per campaign; further mismatches are only counted.
    static let reproducersPerCampaign = 3

    nonisolated(unsafe) static var captureFrames: [[UInt8]]?

    static func captures() -> [[UInt8]] {
        if let frames = captureFrames { return frames }
        let directory = Generated.captures
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".pcap") }.sorted()
        var frames: [[UInt8]] = []
        for file in files {
            let read = (try? CaptureReader.frames(in: directory.appendingPathComponent(file).path)) ?? []
            frames += read.map(\.bytes).filter { $0.count <= FrameRunner.maxFrameBytes && $0.count >= 14 }
        }
        if frames.isEmpty {
            // Not a failure (the generated frames still run), but never silent.
            FileHandle.standardError.write(Data("DifferentialFuzzTests: no captures at \(directory.path): only generated frames are fuzzed (set MESHTRACE_CAPTURES)\n".utf8))
        }
        captureFrames = frames
        return frames
    }

    func testUnrolledProfile() throws { try fuzz(.unrolled) }
    func testLoopsProfile() throws { try fuzz(.loops) }
    func testBPFLoopProfile() throws { try fuzz(.bpfLoop) }

    struct Figures {
        var frames = 0
        var refused = 0
        var events = 0
        var compared = 0
        var mismatches = 0
        /// Chunks whose walk the kernel cut short (MT_COUNTER_CANDIDATES_DROPPED): none may be.
        var capped: UInt64 = 0
        var outcomes: [String: Int] = [:]
    }

    func fuzz(_ profile: LoopProfile) throws {
        try Generated.requireRoot()
        let campaigns = Self.campaigns(profile)
        let perCampaign = max(1, (Self.framesPerProfile + campaigns.count - 1) / campaigns.count)
        var failures: [String] = []
        var total = Figures()
        let started = Date()
        for (index, campaign) in campaigns.enumerated() {
            let seed = Self.seed &+ UInt64(index) &* 0x1000 &+ UInt64(LoopProfile.allCases.firstIndex(of: profile)!)
            let (figures, messages) = try run(campaign, frames: perCampaign, seed: seed)
            failures += messages
            total.frames += figures.frames
            total.refused += figures.refused
            total.events += figures.events
            total.compared += figures.compared
            total.mismatches += figures.mismatches
            total.capped += figures.capped
        }
        let seconds = Date().timeIntervalSince(started)
        print("trust \(profile.rawValue): \(total.frames) frames (\(total.refused) refused by the test run), \(total.compared) compared, "
            + "\(total.events) events, \(total.mismatches) mismatches, \(total.capped) chunk(s) with candidates left uncompared; "
            + "\(String(format: "%.1f", seconds)) s incl. generation")
        for failure in failures { XCTFail(failure) }
    }

    func run(_ campaign: Campaign, frames count: Int, seed: UInt64) throws -> (Figures, [String]) {
        let configuration = campaign.configuration
        let output = try Generated.output(configuration)
        let runner = try Generated.runner(configuration)
        let plan = output.report.plan
        let spec = runner.object.manifest.spec
        // The interpreter reads the plan and the tunables the kernel side was built with from the manifest.
        let ingress = try ReferenceInterpreter(manifest: runner.object.manifest, tracingPoint: 0, hook: .ingress)
        let egress = try ingress.at(.egress)
        var generator = FrameGenerator(ir: spec, window: plan.window, chunkBytes: plan.chunkBytes)
        let captures = Self.captures()
        var rng = SeededRandom(seed: seed)
        var figures = Figures()
        var messages: [String] = []
        var countersExpected = [UInt64](repeating: 0, count: KernelCounter.allCases.count)
        let countersBefore = try runner.object.counters()
        // What the minimiser's runs add to the kernel counters, taken out before comparing them.
        var minimiserRuns = [UInt64](repeating: 0, count: countersBefore.count)
        let decoder = EventDecoder(spec: spec, layout: runner.object.layout)
        // What the kernel's mt_requests holds: a frame whose header block the payload ends inside is held.
        var requests = ReferenceRequests()
        let started = Date()

        for _ in 0..<count {
            let roll = rng.below(100)
            var frame: [UInt8]
            if roll < 75 || captures.isEmpty {
                frame = generator.frame(maxBytes: FrameRunner.maxFrameBytes, &rng)
            } else if roll < 90 {
                frame = ByteMutator.mutate(rng.pick(captures), maxBytes: FrameRunner.maxFrameBytes, &rng)
            } else {
                frame = ByteMutator.mutate(generator.frame(maxBytes: FrameRunner.maxFrameBytes, &rng), maxBytes: FrameRunner.maxFrameBytes, &rng)
            }
            let hook: Hook = rng.chance(0.1) ? .egress : .ingress
            let interpreter = hook == .ingress ? ingress : egress
            figures.frames += 1
            let kernel: [[UInt8]]
            do {
                kernel = try runner.rawEvents(for: frame, hook: hook)
            } catch {
                if ProcessInfo.processInfo.environment["MESHTRACE_FUZZ_DEBUG"] != nil { print("refused \(frame.count) bytes: \(error)") }
                figures.refused += 1
                continue
            }
            let evaluation = interpreter.evaluate(frame: frame, requests: &requests)
            figures.compared += 1
            tally(evaluation, into: &countersExpected)
            if evaluation.event != nil { figures.events += 1 }
            guard let difference = Self.difference(kernel: kernel, expected: evaluation.event, interpreter: interpreter) else { continue }
            figures.mismatches += 1
            guard figures.mismatches <= Self.reproducersPerCampaign else { continue }
            let beforeReport = try runner.object.counters()
            defer { if let after = try? runner.object.counters() { for i in after.indices { minimiserRuns[i] += after[i] - beforeReport[i] } } }
            messages.append(try report(frame: frame, hook: hook, difference: difference, campaign: campaign, output: output,
                                       runner: runner, interpreter: interpreter, decoder: decoder, seed: seed, number: figures.mismatches))
        }
        let seconds = Date().timeIntervalSince(started)
        // The kernel's own counters must tell the same story, frame class by frame class.
        let countersAfter = try runner.object.counters()
        var counterLines: [String] = []
        func delta(_ counter: KernelCounter) -> UInt64 {
            countersAfter[counter.rawValue] - countersBefore[counter.rawValue] - minimiserRuns[counter.rawValue]
        }
        // The interpreter has no clock: a held request the kernel timed out it counts as the gap
        // the next frame of that flow makes.
        for counter in KernelCounter.allCases where ![.ringbufFull, .tailCallFailed, .requestsTimedOut].contains(counter) {
            let delta = delta(counter) + (counter == .requestsGap ? delta(.requestsTimedOut) : 0)
            if delta != countersExpected[counter.rawValue] {
                counterLines.append("\(counter.label) kernel \(delta), interpreter \(countersExpected[counter.rawValue])")
            }
        }
        if !counterLines.isEmpty {
            messages.append("\(campaign.label) \(plan.profile.rawValue): kernel counters disagree with the interpreter: " + counterLines.joined(separator: "; "))
        }
        for counter in [KernelCounter.ringbufFull, .tailCallFailed] where countersAfter[counter.rawValue] - minimiserRuns[counter.rawValue] != countersBefore[counter.rawValue] {
            messages.append("\(campaign.label) \(plan.profile.rawValue): kernel counted \(counter.label)")
        }
        figures.capped = delta(.candidatesDropped)
        let outcome = KernelCounter.allCases.map { "\($0.label) \(countersExpected[$0.rawValue])" }.joined(separator: ", ")
        print("trust \(campaign.label) \(plan.profile.rawValue) (\(plan.chunks) chunk(s) of \(plan.chunkBytes) B): \(figures.frames) frames, "
            + "\(figures.compared) compared, \(figures.events) events, \(figures.mismatches) mismatches, "
            + "\(String(format: "%.0f", Double(figures.frames) / max(seconds, 0.001))) frames/s; \(outcome)")
        return (figures, messages)
    }

    func tally(_ evaluation: ReferenceInterpreter.Evaluation, into counters: inout [UInt64]) {
        counters[KernelCounter.packets.rawValue] += 1
        switch evaluation.outcome {
        case .notAccepted: counters[KernelCounter.notAccepted.rawValue] += 1
        case .filtered: counters[KernelCounter.filtered.rawValue] += 1
        case .notHTTP: counters[KernelCounter.notHTTP.rawValue] += 1
        case .noContext: counters[KernelCounter.noContext.rawValue] += 1
        case .event: counters[KernelCounter.events.rawValue] += 1
        case .held: counters[KernelCounter.segmentsHeld.rawValue] += 1
        }
        if let dropped = evaluation.dropped { counters[dropped.rawValue] += 1 }
        if evaluation.resumed { counters[KernelCounter.segmentsResumed.rawValue] += 1 }
        switch evaluation.outcome {
        case .noContext, .event, .held:
            if evaluation.truncated { counters[KernelCounter.truncated.rawValue] += 1 }
        default:
            break
        }
    }

    /// A description of how the kernel's events differ from the expected one, or nil when they agree.
    static func difference(kernel: [[UInt8]], expected: [UInt8]?, interpreter: ReferenceInterpreter) -> String? {
        switch (kernel.count, expected) {
        case (0, nil): return nil
        case (1, let expected?):
            let got = interpreter.masked(kernel[0])
            if got == expected { return nil }
            guard got.count == expected.count else { return "event of \(got.count) bytes, expected \(expected.count)" }
            let slots = interpreter.layout.slots
            var names: [String] = []
            for index in got.indices where got[index] != expected[index] {
                let name = slots.last(where: { $0.offset <= index && index < $0.offset + $0.kind.size }).map { "\($0.name)" } ?? "padding"
                if names.last != name { names.append(name) }
            }
            return "event bytes differ in " + names.joined(separator: ", ")
        case (let n, nil): return "kernel emitted \(n) event(s), the interpreter none"
        case (let n, _): return "kernel emitted \(n) event(s), the interpreter one"
        }
    }

    func report(frame: [UInt8], hook: Hook, difference: String, campaign: Campaign, output: Generator.Output, runner: FrameRunner,
                interpreter: ReferenceInterpreter, decoder: EventDecoder, seed: UInt64, number: Int) throws -> String {
        // Minimise while the same kind of difference remains.
        let minimal = Minimizer.minimize(frame, interpreter: interpreter) { candidate in
            guard let kernel = try? runner.rawEvents(for: candidate, hook: hook) else { return false }
            return Self.difference(kernel: kernel, expected: interpreter.expectedEvent(frame: candidate), interpreter: interpreter) == difference
        }
        let directory = Self.outputDirectory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = "\(campaign.label)-\(output.report.plan.profile.rawValue)"
        let object = directory.appendingPathComponent("\(name).bpf.o")
        try? FileManager.default.removeItem(at: object)
        try FileManager.default.copyItem(at: output.object, to: object)
        let pcap = directory.appendingPathComponent("\(name)-seed\(seed)-\(number).pcap")
        try CaptureWriter.write(frames: [minimal], to: pcap.path)
        let kernel = (try? runner.rawEvents(for: minimal, hook: hook)) ?? []
        let expected = interpreter.evaluate(frame: minimal)
        let pointMap = hook == .egress ? " --point-map \(pcap.path)=\(runner.object.manifest.spec.points[0].name):egress" : ""
        var lines = [
            "\(name): \(difference) (seed \(seed); frame of \(frame.count) bytes minimised to \(minimal.count))",
            "  replay: meshtrace-run \(object.path) --replay \(pcap.path)\(pointMap) --events",
            "  frame:  \(minimal.map { String(format: "%02x", $0) }.joined())",
            "  interpreter (\(expected.outcome)): " + (expected.event.map { Self.describe($0, decoder) } ?? "no event"),
        ]
        lines += kernel.map { "  kernel:      " + Self.describe($0, decoder) }
        if let wanted = expected.event, kernel.count == 1, kernel[0].count == wanted.count {
            let got = interpreter.masked(kernel[0])
            let offsets = got.indices.filter { got[$0] != wanted[$0] }
            lines.append("  differing bytes (offset: interpreter/kernel): "
                + offsets.prefix(24).map { String(format: "%d: %02x/%02x", $0, wanted[$0], got[$0]) }.joined(separator: ", "))
        }
        if kernel.isEmpty { lines.append("  kernel:      no event") }
        let message = lines.joined(separator: "\n")
        print(message)
        return message
    }

    static func describe(_ raw: [UInt8], _ decoder: EventDecoder) -> String {
        guard let event = try? raw.withUnsafeBytes({ try decoder.decode($0) }) else { return "undecodable \(raw.count) bytes" }
        var parts: [String] = []
        if let point = event.pointIndex { parts.append("point \(point)") }
        if let hook = event.hook { parts.append(hook.rawValue) }
        if let ifindex = event.ifindex { parts.append("ifindex \(ifindex)") }
        if let inner = event.inner { parts.append("inner \(inner) family \(inner.family)") }
        if let outer = event.outer { parts.append("outer \(outer) family \(outer.family)") }
        if let length = event.payloadLength { parts.append("payload \(length)") }
        for (key, value) in event.fields.sorted(by: { $0.key < $1.key }) { parts.append("\(key) \(value)") }
        for (key, value) in event.contextValues.sorted(by: { $0.key < $1.key }) { parts.append("\(key)=\(value.debugDescription)") }
        parts.append("raw \(raw.map { String(format: "%02x", $0) }.joined())")
        return parts.joined(separator: "; ")
    }
}
