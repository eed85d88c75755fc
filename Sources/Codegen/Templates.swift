import Foundation

/// The fixed C parts in `templates/`, pasted into every generated file in include order so the
/// generated C stands alone (no include paths, no absolute paths in the output).
public struct Templates: Sendable {
    public static let entry = "meshtrace.h"
    public let text: String

    /// `MESHTRACE_TEMPLATES`, else the package's own `templates/` beside `Sources/`.
    public static var defaultDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["MESHTRACE_TEMPLATES"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("templates")
    }

    public init(directory: URL = Templates.defaultDirectory) throws {
        var seen: Set<String> = []
        text = try Self.expand(Self.entry, in: directory, seen: &seen)
    }

    /// Inlines `#include "x.h"` lines of the templates, once each.
    private static func expand(_ name: String, in directory: URL, seen: inout Set<String>) throws -> String {
        let url = directory.appendingPathComponent(name)
        guard let source = try? String(contentsOf: url, encoding: .utf8) else {
            throw CodegenError.templatesMissing(url.path)
        }
        seen.insert(name)
        var result: [String] = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#include \""), let included = trimmed.split(separator: "\"").dropFirst().first {
                if !seen.contains(String(included)) {
                    result.append(try expand(String(included), in: directory, seen: &seen))
                }
            } else {
                result.append(String(line))
            }
        }
        return result.joined(separator: "\n")
    }
}
