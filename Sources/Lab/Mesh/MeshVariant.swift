/// Which sidecars a mesh runs and which tracer they carry.
public struct MeshVariant: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Where the sidecars leave the trace context: stock Envoy at the end of the header block (the
    /// paper's original format), the context-first filter right after Host (its proposed format).
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        case original, proposed
        /// The name `meshtrace-lab up --mesh` takes.
        public var sidecar: String { self == .original ? "stock" : "context-first" }
        public init?(sidecar: String) {
            guard let format = Format.allCases.first(where: { $0.sidecar == sidecar }) else { return nil }
            self = format
        }
    }

    public enum Tracer: String, Sendable, Hashable, Codable, CaseIterable {
        /// OpenTelemetry: `traceparent` and an empty `tracestate`.
        case w3c
        /// Zipkin: `x-b3-traceid`, `x-b3-spanid`, `x-b3-parentspanid`, `x-b3-sampled`.
        case b3
    }

    public var format: Format
    public var tracer: Tracer

    public init(format: Format, tracer: Tracer = .w3c) {
        self.format = format
        self.tracer = tracer
    }

    public var description: String { "\(format.sidecar) sidecars (\(format.rawValue) format), \(tracer) tracer" }
}
