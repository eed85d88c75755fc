import Foundation

/// The files a mesh runs that live in the repository (deploy/envoy, the only copy of the
/// context-first filter) and beside the Lab module (its Python helpers).
enum MeshFiles {
    /// MESHTRACE_REPOSITORY, else the checkout this module was built from.
    static var repository: URL {
        if let path = ProcessInfo.processInfo.environment["MESHTRACE_REPOSITORY"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var contextFirstLua: URL { repository.appendingPathComponent("deploy/envoy/context-first.lua") }
    /// The router with the context-first upstream filter, as users paste it.
    static var contextFirstRouter: URL { repository.appendingPathComponent("deploy/envoy/context-first-filter.yaml") }

    /// A file of deploy/, or the reason it is not there.
    static func deployed(_ url: URL) throws -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw LabError.unexpectedOutput("cannot read \(url.path) (set MESHTRACE_REPOSITORY to a meshtrace checkout)")
        }
        return text
    }

    /// A Python helper shipped with the Lab module (Mesh/Helpers).
    static func helper(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "py", subdirectory: "Helpers") else {
            throw LabError.unexpectedOutput("the Lab module's resources lack Helpers/\(name).py")
        }
        return url.path
    }
}
