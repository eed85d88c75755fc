import Foundation
import Spec
import TraceContexts

/// Tests/Conformance/trace-context-vectors.json, decoded.
struct Vectors: Decodable {
    var formats: [String]
    var maxValueBytes: [String: Int]
    var suites: [Suite]
    var cases: [Case]

    struct Suite: Decodable {
        var suite: String
        var source: String
        var cases: Int
    }

    struct Case: Decodable {
        enum CodingKeys: String, CodingKey {
            case suite, name, from, headers, formats, maxValueBytes = "max_value_bytes", expect, note
        }

        var suite: String
        var name: String
        var from: String
        var headers: [[String]]
        var formats: [String]?
        /// The copy size of each read header the case sends: what makes its cut cases cut.
        var maxValueBytes: [String: Int]
        var expect: Expect
        var note: String?
    }

    struct Expect: Decodable {
        var verdict: String
        var format: String?
        var traceId: String?
        var spanId: String?
        var parentSpanId: String?
        var sampled: Bool?
        var debug: Bool?
        var reasonContains: String?
        var noteContains: String?
        var value: String?
        /// Checked only when the case says: nil inside means no list (absent or dropped).
        var tracestate: [[String]]??

        enum CodingKeys: String, CodingKey {
            case verdict, format, traceId = "trace_id", spanId = "span_id", parentSpanId = "parent_span_id", sampled, debug
            case reasonContains = "reason_contains", noteContains = "note_contains", value, tracestate
        }

        init(from decoder: any Decoder) throws {
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

    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Conformance/trace-context-vectors.json")

    static func load() throws -> Vectors {
        try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }
}

/// The vector files' names for formats: the spec's labels, with `w3c+tracestate` for W3C with
/// tracestate and `custom:NAME:MAX` carrying the custom header's copy size.
enum FormatLabel {
    struct Unknown: Error { var label: String }

    static func format(_ label: String) throws -> TraceContextFormat {
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

    static func label(_ format: TraceContextFormat) -> String {
        format == .w3c(tracestate: true) ? "w3c+tracestate" : format.label
    }
}
