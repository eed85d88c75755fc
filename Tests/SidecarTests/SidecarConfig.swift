import Lab
import Foundation

/// deploy/envoy/example-sidecar.yaml made runnable: placeholders filled and its marked blocks
/// swapped for the variant under test, so the tests run the file that ships.
struct SidecarConfig {
    enum Router { case stock, contextFirst }
    enum Tracer { case openTelemetry, zipkin }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let example = repository.appendingPathComponent("deploy/envoy/example-sidecar.yaml")
    static let luaFile = repository.appendingPathComponent("deploy/envoy/context-first.lua")

    /// Zipkin with W3C propagation too, so one run shows where both the B3 and the W3C headers land.
    static let zipkinTracing = "tracing:\n" + SidecarBootstrap.indent(SidecarBootstrap.zipkinProvider(propagation: "USE_B3_WITH_W3C_PROPAGATION"), by: 2)

    var router: Router
    var tracer: Tracer
    var upstreamPort: Int
    /// Nothing listens there: Envoy injects the context all the same and drops the spans.
    var collectorPort: Int

    func text() throws -> String {
        var text = try String(contentsOf: Self.example, encoding: .utf8)
        if router == .stock { text = try Self.replacing(block: "context-first", in: text, with: nil) }
        if tracer == .zipkin { text = try Self.replacing(block: "tracing", in: text, with: Self.zipkinTracing) }
        let values = [
            "ADMIN_PORT": "0", "LISTEN_PORT": "0", "UPSTREAM_PORT": String(upstreamPort),
            "COLLECTOR_PORT": String(collectorPort), "LUA_FILE": Self.luaFile.path,
        ]
        for (name, value) in values { text = text.replacingOccurrences(of: "${\(name)}", with: value) }
        if let left = text.range(of: "${") {
            throw SidecarError("\(Self.example.path) has a placeholder the tests do not fill: \(text[left.lowerBound...].prefix(30))")
        }
        return text
    }

    /// The lines between `# begin NAME` and `# end NAME` (and those two) replaced by `replacement`,
    /// indented like the begin line.
    static func replacing(block name: String, in text: String, with replacement: String?) throws -> String {
        var lines = text.components(separatedBy: "\n")
        let trimmed = lines.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = trimmed.firstIndex(of: "# begin \(name)"), let end = trimmed.firstIndex(of: "# end \(name)"), begin < end else {
            throw SidecarError("\(example.path) has no '# begin \(name)' … '# end \(name)' block")
        }
        let indent = String(lines[begin].prefix { $0 == " " })
        let inserted = replacement.map { $0.components(separatedBy: "\n").map { indent + $0 } } ?? []
        lines.replaceSubrange(begin...end, with: inserted)
        return lines.joined(separator: "\n")
    }
}
