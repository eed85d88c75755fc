import Codegen
import TestSupport
import Foundation
import Spec
import XCTest

/// The instruction-count regression table, in the spirit of veristat's CSV: for every example
/// spec × window × profile × placement, each program's static count (and the verifier's, when
/// root). A program over its budget fails; so does one that grows more than 2% over its golden
/// under the same clang major version (and, for verified counts, the same kernel). A configuration
/// that no plan fits is a row of its own (program `-`), so gaining or losing a plan is a change too.
/// Re-record with `scripts/record-goldens` (MESHTRACE_RECORD_GOLDENS=1); an unchanged program's
/// verified count only rises when re-recorded (`verifiedCeiling`).
final class InstructionBudgetTests: XCTestCase {
    static let windows = [64, 100, 200, 400, 800, 1600, 4096, 8192]
    static let tolerance = 1.02
    static let golden = Generated.packageRoot.appendingPathComponent("Tests/CodegenTests/Goldens/instructions.csv")
    static let columns = ["spec", "window", "placement", "profile", "program", "role", "chunk_bytes", "chunks", "static_insns",
                          "verified_insns", "budget", "clang_major", "kernel"]

    struct Row: Hashable {
        var cells: [String: String]
        var key: String { ["spec", "window", "placement", "profile", "program"].map { cells[$0] ?? "" }.joined(separator: "/") }
        func int(_ column: String) -> Int? { cells[column].flatMap { Int($0) } }
    }

    static var kernel: String {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return release.split(separator: ".").prefix(2).joined(separator: ".")
    }

    static func clangMajor(_ version: String) -> String {
        version.split(separator: " ").first { $0.first?.isNumber ?? false }?.split(separator: ".").first.map(String.init) ?? "?"
    }

    func testEveryProgramWithinBudgetAndGoldens() throws {
        let specs = ["mesh", "plain-http", "overlays"]
        var rows: [Row] = []
        var failures: [String] = []
        for spec in specs {
            for window in Self.windows {
                for placement in Placement.allCases {
                    for profile in LoopProfile.allCases {
                        let configuration = Generated.Configuration(spec: spec, window: window, placement: placement, profile: profile)
                        let report: CodegenReport
                        do {
                            report = try Generated.output(configuration).report
                        } catch let CodegenError.windowTooLarge(window, profile, chunk, maxChunks) {
                            // The budget wall, recorded like any count: a configuration that gains or
                            // loses a plan is a golden change, reviewed and re-recorded.
                            rows.append(Row(cells: [
                                "spec": spec, "window": String(window), "placement": placement.rawValue, "profile": profile.rawValue,
                                "program": "-", "role": "no plan within \(maxChunks) chunks (\(chunk) B each is over budget)",
                            ]))
                            continue
                        } catch {
                            failures.append("\(spec) \(window) B \(placement.rawValue) \(profile.rawValue): \(error)")
                            continue
                        }
                        for program in report.programs {
                            if program.instructions > program.budget {
                                failures.append("\(spec) \(window) \(placement.rawValue) \(profile.rawValue): \(program.name) has \(program.instructions) > \(program.budget)")
                            }
                            if profile == .unrolled, program.backEdges > 0 {
                                failures.append("\(spec) \(window) unrolled: \(program.name) has \(program.backEdges) loop(s)")
                            }
                            rows.append(Row(cells: [
                                "spec": spec, "window": String(window), "placement": placement.rawValue, "profile": profile.rawValue,
                                "program": program.name, "role": program.role, "chunk_bytes": String(report.plan.chunkBytes),
                                "chunks": String(report.plan.chunks), "static_insns": String(program.instructions),
                                "verified_insns": program.verifiedInstructions.map(String.init) ?? "", "budget": String(program.budget),
                                "clang_major": Self.clangMajor(report.clang), "kernel": Self.kernel,
                            ]))
                        }
                    }
                }
            }
        }
        if ProcessInfo.processInfo.environment["MESHTRACE_RECORD_GOLDENS"] == "1" {
            try FileManager.default.createDirectory(at: Self.golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            let recorded = (try? Self.goldenRows()) ?? [:]
            let lines = [Self.columns.joined(separator: ",")] + rows.map { row in
                let kept = Self.verifiedCeiling(row, recorded: recorded[row.key])
                return Self.columns.map { kept.cells[$0] ?? "" }.joined(separator: ",")
            }
            try (lines.joined(separator: "\n") + "\n").write(to: Self.golden, atomically: true, encoding: .utf8)
        } else {
            failures += try compareWithGolden(rows)
        }
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }

    /// The golden table by row key; nil when there is none.
    static func goldenRows() throws -> [String: Row]? {
        guard let text = try? String(contentsOf: golden, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [:] }
        var rows: [String: Row] = [:]
        for line in lines.dropFirst() {
            let row = Row(cells: Dictionary(uniqueKeysWithValues: zip(header, line)))
            rows[row.key] = row
        }
        return rows
    }

    /// The row to record: the same program (static count), clang major and kernel version verify
    /// with different work on different machines of one kind (the bpf_loop search programs'
    /// callbacks: 0.92-6.46x between two such hosts on 6.18), so such a row keeps the larger of its
    /// recorded and measured verified counts, the ceiling that passes on both; a changed program
    /// takes its new count.
    static func verifiedCeiling(_ row: Row, recorded: Row?) -> Row {
        guard let recorded, ["static_insns", "clang_major", "kernel"].allSatisfy({ recorded.cells[$0] == row.cells[$0] }),
              let was = recorded.int("verified_insns"), let now = row.int("verified_insns"), was > now else { return row }
        var kept = row
        kept.cells["verified_insns"] = String(was)
        return kept
    }

    func compareWithGolden(_ rows: [Row]) throws -> [String] {
        guard let golden = try Self.goldenRows() else {
            return ["no golden table at \(Self.golden.path): run scripts/record-goldens"]
        }
        guard !golden.isEmpty else { return ["empty golden table"] }
        var failures: [String] = []
        for row in rows {
            guard let old = golden[row.key] else {
                failures.append("\(row.key): not in the golden table (re-record with scripts/record-goldens)")
                continue
            }
            guard old.cells["clang_major"] == row.cells["clang_major"] else { continue }
            for column in ["static_insns", "verified_insns"] {
                if column == "verified_insns", old.cells["kernel"] != row.cells["kernel"] { continue }
                guard let was = old.int(column), let now = row.int(column) else { continue }
                if Double(now) > Double(was) * Self.tolerance {
                    failures.append("\(row.key): \(column) grew from \(was) to \(now) (more than 2%)")
                }
            }
        }
        return failures
    }
}
