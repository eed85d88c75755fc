import Foundation

/// Anything that may stand at the top level of a spec.
public protocol SpecComponent {
    /// Adds this component to the IR being built.
    func apply(to spec: inout SpecIR)
}

/// A meshtrace spec. Creating one registers it; when the spec program exits, its IR is
/// written to the path `meshtrace-gen` handed over (`--meshtrace-ir-path P`), so that the
/// spec's own prints never corrupt it, or to standard output when the spec is run by hand.
///
/// ```swift
/// import Spec
///
/// let spec = MeshSpec("plain-http") {
///     Parser(start: "ethernet") { … }
///     SearchWindow(bytes: 200, placement: .fixed, formats: .w3c(tracestate: false))
///     TracingPoint("vport", hooks: .ingress, .egress)
/// }
/// ```
public struct MeshSpec {
    public let ir: SpecIR

    public init(_ name: String, line: Int = #line, @ListBuilder<any SpecComponent> _ content: () -> [any SpecComponent]) {
        self.init(unregistered: name, line: line, content)
        SpecEmission.register(ir)
    }

    /// Builds the IR without registering it for emission, so that tests can build specs in-process.
    init(unregistered name: String, line: Int = #line, @ListBuilder<any SpecComponent> _ content: () -> [any SpecComponent]) {
        var ir = SpecIR(name: name, line: line, parser: ParserGraph(start: ParserGraph.accept, states: []))
        for component in content() {
            component.apply(to: &ir)
        }
        ir.headers.sort { $0.name < $1.name }
        self.ir = ir
    }
}

/// Writes the registered spec's IR when the spec program exits, like PackageDescription's exit hook.
enum SpecEmission {
    nonisolated(unsafe) static var registered: [SpecIR] = []

    static func register(_ ir: SpecIR) {
        if registered.isEmpty {
            atexit { SpecEmission.emit() }
        }
        registered.append(ir)
    }

    static func emit() {
        let payload: Data
        if registered.count == 1 {
            payload = (try? SpecEncoding.encode(registered[0])) ?? Data()
        } else {
            // The loader reports this, at the second MeshSpec; the marker keeps it from looking like a decoding failure.
            let marker: [String: Any] = [
                "error": "a spec file must create exactly one MeshSpec, this one created \(registered.count)",
                "line": registered[1].line ?? 1,
            ]
            payload = (try? JSONSerialization.data(withJSONObject: marker)) ?? Data()
        }
        let arguments = CommandLine.arguments
        if let flag = arguments.firstIndex(of: SpecEncoding.irPathFlag), flag + 1 < arguments.count {
            _ = FileManager.default.createFile(atPath: arguments[flag + 1], contents: payload)
        } else {
            FileHandle.standardOutput.write(payload + Data("\n".utf8))
        }
    }
}

/// The one way IR is turned into bytes and back: stable, sorted, versioned JSON.
public enum SpecEncoding {
    /// The flag by which the loader tells a spec program where to write its IR.
    public static let irPathFlag = "--meshtrace-ir-path"

    public static func encode(_ ir: SpecIR) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(ir)
    }

    public static func decode(_ data: Data) throws -> SpecIR {
        try JSONDecoder().decode(SpecIR.self, from: data)
    }
}
