import Foundation
import Spec

/// What a generated object says about itself, embedded in its `.meshtrace` ELF section so that
/// `meshtrace-run generated.o` needs no other file: the spec's IR and the program layout.
public struct ObjectManifest: Codable, Hashable, Sendable {
    public static let sectionName = ".meshtrace"
    public static let currentVersion = 1

    public var version: Int
    public var spec: SpecIR
    public var plan: SearchPlan
    /// The tail-call chain: `mt_progs[i]` holds `tailCalls[i]`.
    public var tailCalls: [String]
    /// The entry programs by hook.
    public var entries: [String: String]

    public init(spec: SpecIR, plan: SearchPlan) {
        self.version = Self.currentVersion
        self.spec = spec
        self.plan = plan
        self.tailCalls = (0..<plan.chunks).map { "mt_search_\($0)" } + ["mt_finish"]
        self.entries = [Hook.ingress.rawValue: "mt_ingress", Hook.egress.rawValue: "mt_egress"]
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// How the search window is cut into tail-called chunk programs.
public struct SearchPlan: Codable, Hashable, Sendable {
    public var window: Int
    public var placement: Placement
    public var profile: LoopProfile
    public var budget: Int
    public var chunkBytes: Int

    public init(window: Int, placement: Placement, profile: LoopProfile, budget: Int, chunkBytes: Int) {
        self.window = window
        self.placement = placement
        self.profile = profile
        self.budget = budget
        self.chunkBytes = chunkBytes
    }

    public var chunks: Int { max(1, (window + chunkBytes - 1) / chunkBytes) }
}
