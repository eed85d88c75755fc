import Foundation
import Spec

/// What a generated object says about itself, embedded in its `.meshtrace` ELF section so that
/// `meshtrace-run generated.o` needs no other file: the spec's IR, the plan, the tunables the
/// search was built with, and the program layout.
public struct ObjectManifest: Codable, Hashable, Sendable {
    public static let sectionName = ".meshtrace"
    /// 2: tunables; programs as `ProgramSymbol`s.
    public static let currentVersion = 2

    public var version: Int
    public var spec: SpecIR
    public var plan: SearchPlan
    public var tunables: SearchTunables
    /// The tail-call chain: `mt_progs[i]` holds `tailCalls[i]`.
    public var tailCalls: [ProgramSymbol]
    /// The entry programs by hook (`ingress`, `egress`).
    public var entries: [String: ProgramSymbol]

    public init(spec: SpecIR, plan: SearchPlan) {
        self.version = Self.currentVersion
        self.spec = spec
        self.plan = plan
        self.tunables = SearchTunables(plan: plan)
        self.tailCalls = plan.tailCalls + (spec.record.followsSplitRequests ? [.hold] : [])
        self.entries = Dictionary(uniqueKeysWithValues: Hook.allCases.map { ($0.rawValue, ProgramSymbol.entry($0)) })
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The manifest from its section's JSON, or why it cannot be read.
    public static func decoded(from json: Data) throws -> ObjectManifest {
        let manifest: ObjectManifest
        do {
            manifest = try JSONDecoder().decode(ObjectManifest.self, from: json)
        } catch let error as DecodingError {
            // An older manifest fails to decode before its version can be compared: look at it alone.
            if let version = (try? JSONDecoder().decode(Versioned.self, from: json))?.version, version != currentVersion {
                throw ManifestError.version(version)
            }
            throw ManifestError.corrupted("\(error)")
        }
        guard manifest.version == currentVersion else { throw ManifestError.version(manifest.version) }
        return manifest
    }

    private struct Versioned: Decodable { var version: Int }
}

public enum ManifestError: Error, CustomStringConvertible, Equatable {
    case version(Int)
    case corrupted(String)

    public var description: String {
        switch self {
        case .version(let version):
            "its manifest has version \(version); this meshtrace reads version \(ObjectManifest.currentVersion): regenerate it"
        case .corrupted(let reason):
            "its \(ObjectManifest.sectionName) section is corrupted (\(reason))"
        }
    }
}
