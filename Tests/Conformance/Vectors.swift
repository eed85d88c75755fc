import Foundation
import Spec
import TraceContexts

/// Tests/Conformance/trace-context-vectors.json, decoded: shared by the user-space and the kernel
/// conformance tests.
public struct Vectors: Decodable {
    public var formats: [String]
    public var maxValueBytes: [String: Int]
    public var suites: [Suite]
    public var cases: [Case]

    public struct Suite: Decodable {
        public var suite: String
        public var source: String
        public var cases: Int
    }

    public struct Case: Decodable {
        enum CodingKeys: String, CodingKey {
            case suite, name, from, headers, formats, maxValueBytes = "max_value_bytes", expect, note
        }

        public var suite: String
        public var name: String
        public var from: String
        public var headers: [[String]]
        public var formats: [String]?
        /// The copy size of each read header the case sends: what makes its cut cases cut.
        public var maxValueBytes: [String: Int]
        public var expect: Expect
        public var note: String?
    }

    public struct Expect: Decodable {
        public var verdict: String
        public var format: String?
        public var traceId: String?
        public var spanId: String?
        public var parentSpanId: String?
        public var sampled: Bool?
        public var debug: Bool?
        public var reasonContains: String?
        public var noteContains: String?
        public var value: String?
        /// Checked only when the case says: nil inside means no list (absent or dropped).
        public var tracestate: [[String]]??

        enum CodingKeys: String, CodingKey {
            case verdict, format, traceId = "trace_id", spanId = "span_id", parentSpanId = "parent_span_id", sampled, debug
            case reasonContains = "reason_contains", noteContains = "note_contains", value, tracestate
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            verdict = try container.decode(String.self, forKey: .verdict)
            format = try container.decodeIfPresent(String.self, forKey: .format)
            traceId = try container.decodeIfPresent(String.self, forKey: .traceId)
            spanId = try container.decodeIfPresent(String.self, forKey: .spanId)
            parentSpanId = try container.decodeIfPresent(String.self, forKey: .parentSpanId)
            sampled = try container.decodeIfPresent(Bool.self, forKey: .sampled)
            debug = try container.decodeIfPresent(Bool.self, forKey: .debug)
            reasonContains = try container.decodeIfPresent(String.self, forKey: .reasonContains)
            noteContains = try container.decodeIfPresent(String.self, forKey: .noteContains)
            value = try container.decodeIfPresent(String.self, forKey: .value)
            if container.contains(.tracestate) {
                tracestate = .some(try container.decodeIfPresent([[String]].self, forKey: .tracestate))
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case formats, maxValueBytes = "max_value_bytes", suites, cases
    }

    public static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("trace-context-vectors.json")

    public static func load() throws -> Vectors {
        try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }

    /// The spec's formats `vector` is decided by: its own, or the file's.
    public func formats(of vector: Case) throws -> [TraceContextFormat] {
        try (vector.formats ?? formats).map(FormatLabel.format)
    }
}

/// The vector files' names for formats: the spec's labels, with `w3c+tracestate` for W3C with
/// tracestate and `custom:NAME:MAX` carrying the custom header's copy size.
public enum FormatLabel {
    public struct Unknown: Error { var label: String }

    public static func format(_ label: String) throws -> TraceContextFormat {
        switch label {
        case "w3c": return .w3c(tracestate: false)
        case "w3c+tracestate": return .w3c(tracestate: true)
        case "b3": return .b3Multi
        case "b3-single": return .b3Single
        case "jaeger": return .jaeger
        default:
            let parts = label.split(separator: ":")
            guard parts.count == 3, parts[0] == "custom", let max = Int(parts[2]) else { throw Unknown(label: label) }
            return .custom(name: String(parts[1]), maxValueBytes: max)
        }
    }

    public static func label(_ format: TraceContextFormat) -> String {
        format == .w3c(tracestate: true) ? "w3c+tracestate" : format.label
    }
}
