import ArgumentParser
import BPF
import Codegen
import Foundation
import PacketKit
import Runner
import Spec
import SpecLoader
import Subprocess

/// Benchmarks with figures and ratios against a baseline measured in the same run: the
/// hand-written, paper-style program in Benchmarks/baseline.bpf.c.
@main
struct MeshtraceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshtrace-bench",
        abstract: "Measure meshtrace against the paper-style baseline: the largest window within the budget, and ns per packet."
    )

    @Option(help: "BPF_PROG_TEST_RUN repetitions per timing.")
    var repetitions = 20000

    @Option(help: "The package root (for specs/ and Benchmarks/).")
    var root = FileManager.default.currentDirectoryPath

    func run() throws {
        guard Capabilities.canLoadBPF else { throw ValidationError("meshtrace-bench loads BPF programs: run it as root") }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrace-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        let bench = Bench(root: URL(fileURLWithPath: root), work: work, repetitions: repetitions)
        try bench.windowWall()
        try bench.speed()
    }
}

struct Bench {
    let root: URL
    let work: URL
    let repetitions: Int
    let driver = ClangDriver()
    static let budget = 4096

    /// Compiles the baseline for `window` bytes; returns its object and instruction count
    /// (Int.max when clang could not unroll it: a loop is not the paper's kind of program).
    func baseline(window: Int) throws -> (URL, Int) {
        let object = work.appendingPathComponent("baseline-\(window).o")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let result = try Command.run([driver.clang] + ClangDriver.flags(for: .unrolled) + [
            "-DBASELINE_WINDOW=\(window)", "-c", root.appendingPathComponent("Benchmarks/baseline.bpf.c").path, "-o", object.path,
        ])
        guard result.status == 0 else { throw ValidationError("baseline does not compile: \(result.stderr)") }
        let bpf = try BPFObject(path: object.path)
        let programs = bpf.programs
        if programs.contains(where: { ControlFlow.backEdges($0.instructions) > 0 }) { return (object, Int.max) }
        return (object, programs.map(\.instructionCount).max() ?? 0)
    }

    func generate(_ spec: String, window: Int, placement: Placement, profile: LoopProfile) throws -> Generator.Output {
        let loader = SpecLoader(runtime: try SpecRuntime.beside())
        let ir = try loader.load(root.appendingPathComponent("specs/\(spec).swift").path).ir
        let configured = try Overrides(window: window, placement: placement, profile: profile).applied(to: ir)
        return try Generator(driver: driver, templates: try Templates()).generate(
            ir: configured, specFile: "\(spec).swift", verify: true,
            into: work.appendingPathComponent("\(spec)-\(window)-\(placement)-\(profile.rawValue)"))
    }

    /// The largest window each can search with every program within 4096 instructions.
    func windowWall() throws {
        // At a few KiB the unrolled baseline is already several times over the budget (and
        // clang's BPF backend gives up on it): an upper bound of 4096 B is enough.
        var low = 8, high = 4096
        while high - low > 8 {
            let middle = (low + high) / 2 / 8 * 8
            let instructions = (try? baseline(window: middle).1) ?? Int.max
            if instructions <= Self.budget { low = middle } else { high = middle }
        }
        print("== Largest search window with every program within \(Self.budget) instructions")
        print("baseline (paper-style, one program, unrolled byte scan): \(low) B")
        for profile in LoopProfile.allCases {
            var largest = 0
            for window in [8192, 16384, 32768, 65536] {
                guard let output = try? generate("mesh", window: window, placement: .anywhere, profile: profile) else { break }
                let worst = output.report.programs.map(\.instructions).max() ?? 0
                guard worst <= Self.budget else { break }
                largest = window
            }
            print(String(format: "meshtrace %-9@ (tail-called chunks):                   %6d B  (%.1fx the baseline)", profile.rawValue as NSString, largest, Double(largest) / Double(low)))
        }
    }

    /// The baseline keys its records by the inner TCP sequence number as on the wire.
    static func sequenceKey(_ frame: [UInt8]) -> [UInt8] {
        // Ethernet, outer IPv4 (20), UDP (8), VXLAN (8), inner Ethernet (14), inner IPv4 (20): TCP follows.
        let tcp = 14 + 20 + 8 + 8 + 14 + 20
        return Array(frame[(tcp + 4)..<(tcp + 8)])
    }

    /// Nanoseconds per packet for the same request, baseline and meshtrace at the same window.
    func speed() throws {
        print("\n== ns per packet (BPF_PROG_TEST_RUN, \(repetitions) runs, VXLAN frame, W3C context)")
        let head = Packet.benchmarkRequest(contextAt: 27)
        let deep = Packet.benchmarkRequest(contextAt: 1000)
        let cases: [(String, [UInt8], Int, Placement)] = [
            ("context first, 200 B window", head, 200, .fixed),
            ("context at byte 1000, 1100 B window", deep, 1100, .anywhere),
        ]
        for (label, frame, window, placement) in cases {
            let (baselineObject, _) = try baseline(window: window)
            let base = try BPFObject(path: baselineObject.path)
            try base.load()
            guard let program = base.program(named: "baseline") else { continue }
            let baselineNs = try program.testRun(frame: frame, repeat: repetitions).durationNs
            let baselineFound = (try? base.map(named: "baseline_records")?.lookup(key: Self.sequenceKey(frame))) != nil
            for profile in LoopProfile.allCases {
                let output = try generate("mesh", window: window, placement: placement, profile: profile)
                let runner = try FrameRunner(object: try LoadedObject(path: output.object.path))
                let found = try runner.events(for: frame).count
                let ns = try runner.nanosecondsPerRun(frame, repeat: repetitions)
                print(String(format: "%-36@ baseline %5d ns (found: %@) | meshtrace %-9@ %5d ns (%.2fx, found: %@)",
                             label as NSString, baselineNs, (baselineFound ? "yes" : "NO") as NSString, profile.rawValue as NSString, ns,
                             Double(ns) / Double(max(baselineNs, 1)), (found == 1 ? "yes" : "NO") as NSString))
            }
        }
    }
}

extension Packet {
    /// A VXLAN-encapsulated request whose traceparent line begins at payload byte `start`.
    static func benchmarkRequest(contextAt start: Int) -> [UInt8] {
        var headers = "GET /productpage HTTP/1.1\r\n"
        var index = 0
        while start - headers.utf8.count >= 40 {
            let pad = min(60, start - headers.utf8.count - 12)
            headers += "x-pad-\(index): " + String(repeating: "p", count: max(1, pad)) + "\r\n"
            index += 1
        }
        headers += String(repeating: "y", count: max(0, start - headers.utf8.count - 2)) + (start > headers.utf8.count ? "\r\n" : "")
        var packet = Packet(http: headers + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nHost: reviews\r\n\r\n")
        packet.encapsulation = .vxlan(vni: 42, outerSource: [198, 18, 0, 1], outerDestination: [198, 18, 0, 2], sourcePort: 50000)
        return packet.frame
    }
}
