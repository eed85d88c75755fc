import Foundation
import Spec

/// The fixed C parts, one stage a file (see `meshtrace.h`), shipped with the tool as a SwiftPM
/// resource and pasted into every generated file in stage order, so the generated C stands alone
/// (no include paths, no absolute paths in the output).
public struct Templates: Sendable {
    /// The resource folder's name inside the tool's resource bundle.
    static let folder = "Templates"
    public let directory: URL
    /// Each stage's text, by file name.
    private let stages: [String: String]

    /// `MESHTRACE_TEMPLATES` when set, else the resource bundle beside the running executable
    /// (where `swift build` puts it, and where an installation must copy it).
    public init() throws {
        var searched: [String] = []
        for candidate in Self.candidateDirectories() {
            searched.append(candidate.path)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(Self.overview).path) {
                try self.init(directory: candidate)
                return
            }
        }
        throw CodegenError.templatesMissing(searched: searched)
    }

    public init(directory: URL) throws {
        self.directory = directory
        var stages: [String: String] = [:]
        for name in Set(LoopProfile.allCases.flatMap(Self.stageFiles)) {
            let url = directory.appendingPathComponent(name)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw CodegenError.templatesMissing(searched: [url.path]) }
            stages[name] = text
        }
        self.stages = stages
    }

    /// The fixed part for `profile`, in stage order.
    public func text(for profile: LoopProfile) -> String {
        Self.stageFiles(profile).compactMap { stages[$0] }.map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }.joined(separator: "\n")
    }

    static let overview = "meshtrace.h"

    /// The files of a profile's fixed part, in the order the C needs them.
    static func stageFiles(_ profile: LoopProfile) -> [String] {
        // the bpf_loop driver runs a window of one group through the counted one
        let (name, scanWord, drivers) = switch profile {
        case .unrolled: ("unrolled", "branching", ["counted"])
        case .loops: ("loops", "branch_free", ["counted"])
        case .bpfLoop: ("bpf_loop", "branch_free", ["counted", "bpf_loop"])
        }
        return [overview, "mt_profile_\(name).h", "mt_core.h", "mt_http.h", "mt_scan.h", "mt_scan_word_\(scanWord).h", "mt_candidate.h"]
            + drivers.map { "mt_driver_\($0).h" } + ["mt_chunk.h", "mt_value.h", "mt_segments.h", "mt_programs.h"]
    }

    private static func candidateDirectories() -> [URL] {
        if let directory = ProcessInfo.processInfo.environment["MESHTRACE_TEMPLATES"] { return [URL(fileURLWithPath: directory)] }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let beside = URL(fileURLWithPath: executable).deletingLastPathComponent()
        return [beside.appendingPathComponent("meshtrace_Codegen.resources").appendingPathComponent(folder)]
    }
}
