import ArgumentParser
import BPF
import Codegen
import Foundation
import Spec

/// Per-packet cost with every figure a ratio to floors measured in the same run, pinned to one
/// CPU: the empty tc program, a byte-by-byte scan, and the paper-style baseline (Benchmarks/).
@main
struct MeshtraceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshtrace-bench",
        abstract: "Measure meshtrace's per-packet cost against an empty program, a byte scan and the paper-style baseline."
    )

    @Option(help: "BPF_PROG_TEST_RUN repetitions per timing.")
    var repetitions = 20000

    @Option(help: "Rounds; each subject's figure is its best round.")
    var rounds = 9

    @Option(help: "Loads of every program, each its own JIT image at a random offset (a program's speed depends on it); a figure is its fastest load's.")
    var loads = 4

    @Option(help: "The CPU to pin to.")
    var cpu = 1

    @Option(help: "Profiles, comma-separated.", transform: { try $0.split(separator: ",").map { try LoopProfile.parsed(String($0)) } })
    var profiles: [LoopProfile] = LoopProfile.allCases

    @Option(help: "Placements, comma-separated (fixed, anywhere).", transform: { try $0.split(separator: ",").map { try Placement.parsed(String($0)) } })
    var placements: [Placement] = [.fixed, .anywhere]

    @Option(help: "Search windows in bytes, comma-separated (200 and 1024 have the baseline beside them).",
            transform: { try $0.split(separator: ",").map { guard let n = Int($0), n > 0 else { throw ValidationError("not a window: \($0)") }; return n } })
    var windows = [200, 1024, 2048, 4096, 8192]

    @Option(help: "Context positions, comma-separated (first, middle, last).",
            transform: { try $0.split(separator: ",").map { guard let p = BenchFrames.Position(rawValue: String($0)), p != .everyFirst else { throw ValidationError("not a position: \($0)") }; return p } })
    var positions: [BenchFrames.Position] = [.first, .middle, .last]

    @Flag(inversion: .prefixedNo, help: "The packets that are not traced.")
    var nonHTTP = true

    @Flag(inversion: .prefixedNo, help: "The largest window within the budget (generates up to 64 KiB windows: slow).")
    var wall = true

    @Flag(inversion: .prefixedNo, help: "The runner's user-space work per event (decode and join), next to the kernel's.")
    var runner = true

    @Flag(help: "Print the figures as JSON on stdout (progress stays on stderr).")
    var json = false

    @Option(help: "Also write the figures as JSON to this file.")
    var jsonFile: String?

    @Option(help: ArgumentHelp("Also time objects generated from this copy of the C templates (Sources/Codegen/Templates), interleaved with ours in the same rounds, and print each packet's ratio to them.",
                               discussion: "A change's before and after in one run: runs minutes apart differ by more than most changes move.",
                               valueName: "directory"))
    var againstTemplates: String?

    @Flag(help: ArgumentHelp("Compile our objects (and those of --against-templates) to read every packet byte through bpf_skb_load_bytes, as on a real request's skb, whose payload sits in page fragments.",
                             discussion: "BPF_PROG_TEST_RUN's frames are linear, so by default the programs read the HTTP check's and the values' bytes in place, which real requests do not allow (scripts/payload-linearity)."))
    var paged = false

    @Option(help: "The package root (for specs/ and Benchmarks/).")
    var root = FileManager.default.currentDirectoryPath

    func run() throws {
        guard loads >= 1 else { throw ValidationError("--loads must be at least 1") }
        guard Capabilities.canLoadBPF else { throw ValidationError("meshtrace-bench loads BPF programs: run it as root") }
        try CPUPinning.pin(to: cpu)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrace-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        let rootURL = URL(fileURLWithPath: root)
        let floors = Floors(root: rootURL, work: work)
        let defines = paged ? ["MT_READ_IN_PLACE=0"] : []
        let objects = try MeshtraceObjects(root: rootURL, work: work, spec: "mesh", loads: loads, templates: try Templates(), defines: defines)
        let against = try againstTemplates.map { directory in
            let templates: Templates
            do { templates = try Templates(directory: URL(fileURLWithPath: directory)) } catch CodegenError.templatesMissing(let searched) {
                throw ValidationError("--against-templates \(directory) is not a copy of Sources/Codegen/Templates: \(searched.joined(separator: ", ")) is missing")
            }
            return try MeshtraceObjects(root: rootURL, work: work, spec: "mesh", loads: loads, templates: templates, tag: "against-", defines: defines)
        }
        let progress: (String) -> Void = { FileHandle.standardError.write(Data("meshtrace-bench: \($0)\n".utf8)) }
        if wall && !json { try WindowWall(floors: floors, objects: objects).print() }
        let selection = Selection(profiles: profiles, placements: placements, windows: windows, positions: positions, nonHTTP: nonHTTP)
        let matrix = Matrix(selection: selection, floors: floors, objects: objects, against: against)
        try matrix.build(progress: progress)
        var result = try matrix.run(Interleaved(rounds: rounds, repetitions: repetitions), progress: progress)
        if runner {
            progress("timing the runner's decode and join")
            result.runner = try RunnerCost(objects: objects, profile: profiles[0]).measure(rounds: rounds, repetitions: repetitions)
        }
        result.cpu = cpu
        result.againstTemplates = againstTemplates
        result.paged = paged
        result.rounds = rounds
        result.repetitions = repetitions
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let encoded = try encoder.encode(result)
        if let jsonFile { try encoded.write(to: URL(fileURLWithPath: jsonFile)) }
        if json {
            print(String(decoding: encoded, as: UTF8.self))
        } else {
            BenchReport.print(result)
        }
    }
}

extension LoopProfile {
    static func parsed(_ text: String) throws -> LoopProfile {
        guard let profile = LoopProfile(rawValue: text) else { throw ValidationError("not a profile: \(text) (\(allCases.map(\.rawValue).joined(separator: ", ")))") }
        return profile
    }
}

extension Placement {
    static func parsed(_ text: String) throws -> Placement {
        guard let placement = Placement(rawValue: text) else { throw ValidationError("not a placement: \(text) (fixed, anywhere)") }
        return placement
    }
}
