import Foundation
import ObjectModel
import Spec

/// What `meshtrace-gen -o` reports: the plan and every program's counts against the budget.
public struct CodegenReport: Codable, Hashable, Sendable {
    public var spec: String
    public var specFile: String
    public var clang: String
    public var plan: SearchPlan
    public var planningCompiles: Int
    public var verification: String
    public var programs: [ProgramMeasurement]

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// The report as a fixed-width table.
    public var table: String {
        let header = ["program", "section", "role", "insns", "budget", "verified", "loops"]
        let rows = programs.map { program in
            [program.name, program.section, program.role, String(program.instructions), String(program.budget),
             program.verifiedInstructions.map(String.init) ?? "-", String(program.backEdges)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func format(_ row: [String]) -> String {
            row.enumerated().map { index, cell in
                index >= 3 ? String(repeating: " ", count: widths[index] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
        let summary = "spec \(spec) (\(specFile)): window \(plan.window) B, \(plan.placement.rawValue), profile \(plan.profile.rawValue), "
            + "\(plan.chunks) chunk(s) of \(plan.chunkBytes) B, candidate filter \(plan.candidateFilter) character(s), "
            + "\(planningCompiles) planning compile(s); \(clang)"
        return ([summary, format(header)] + rows.map(format) + ["verifier: \(verification)"]).joined(separator: "\n")
    }
}
