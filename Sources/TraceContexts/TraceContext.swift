import Spec

/// A trace context recovered from the raw header values an event carries, fully validated in
/// user space (the kernel only copies bytes). When several formats are present, the spec's
/// format order decides which one is used.
public struct TraceContext: Hashable, Sendable {
    public var format: String
    public var traceId: String
    public var spanId: String
    public var parentSpanId: String?
    public var flags: String?
    /// nil when valid; else why not.
    public var invalidReason: String?

    public var isValid: Bool { invalidReason == nil }

    /// The first format of `formats` whose headers were found, parsed; nil when none was found.
    public init?(values: [String: String], formats: [TraceContextFormat]) {
        for format in formats {
            let names = format.headers.map(\.name)
            guard values[names[0]] != nil || (format == .b3Multi && names.contains(where: { values[$0] != nil })) else { continue }
            self = switch format {
            case .w3c: Self.w3c(values["traceparent"] ?? "")
            case .b3Multi: Self.b3Multi(values)
            case .b3Single: Self.b3Single(values["b3"] ?? "")
            case .jaeger: Self.jaeger(values["uber-trace-id"] ?? "")
            case .custom(let name, _): TraceContext(format: format.label, traceId: values[name.lowercased()] ?? "", spanId: "")
            }
            return
        }
        return nil
    }

    public init(format: String, traceId: String, spanId: String, parentSpanId: String? = nil, flags: String? = nil, invalidReason: String? = nil) {
        self.format = format
        self.traceId = traceId
        self.spanId = spanId
        self.parentSpanId = parentSpanId
        self.flags = flags
        self.invalidReason = invalidReason
    }

    static func isLowerHex(_ text: Substring, count: Int? = nil) -> Bool {
        (count.map { text.count == $0 } ?? !text.isEmpty) && text.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    static func isZero(_ text: Substring) -> Bool { text.allSatisfy { $0 == "0" } }

    /// A `traceparent` value, parsed and validated (`invalidReason` says what is wrong with it).
    public init(traceparent: String) {
        self = Self.w3c(traceparent)
    }

    /// The `traceparent` value of a W3C context (version 00; flags 01 when unknown).
    public var traceparent: String { "00-\(traceId)-\(spanId)-\(flags ?? "01")" }

    /// W3C Trace Context level 1: `version-traceid-parentid-flags`, lowercase hex.
    static func w3c(_ value: String) -> TraceContext {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        func invalid(_ reason: String) -> TraceContext {
            TraceContext(format: "w3c", traceId: parts.count > 1 ? String(parts[1]) : "", spanId: parts.count > 2 ? String(parts[2]) : "",
                         flags: parts.count > 3 ? String(parts[3].prefix(2)) : nil, invalidReason: reason)
        }
        guard parts.count >= 4 else { return invalid("traceparent needs four '-'-separated fields") }
        guard isLowerHex(parts[0], count: 2) else { return invalid("version is not two lowercase hex digits") }
        guard parts[0] != "ff" else { return invalid("version ff is forbidden") }
        if parts[0] == "00" {
            guard parts.count == 4, value.count == 55 else { return invalid("version 00 traceparent must be exactly 55 characters") }
        }
        guard isLowerHex(parts[1], count: 32) else { return invalid("trace-id is not 32 lowercase hex digits") }
        guard !isZero(parts[1]) else { return invalid("trace-id is all zeros") }
        guard isLowerHex(parts[2], count: 16) else { return invalid("parent-id is not 16 lowercase hex digits") }
        guard !isZero(parts[2]) else { return invalid("parent-id is all zeros") }
        guard isLowerHex(parts[3], count: 2) else { return invalid("trace-flags is not two lowercase hex digits") }
        return TraceContext(format: "w3c", traceId: String(parts[1]), spanId: String(parts[2]), flags: String(parts[3]))
    }

    /// B3 multi-header: 16 or 32 hex trace id, 16 hex span ids, sampled 0 or 1.
    static func b3Multi(_ values: [String: String]) -> TraceContext {
        let traceId = values["x-b3-traceid"] ?? ""
        let spanId = values["x-b3-spanid"] ?? ""
        let parent = values["x-b3-parentspanid"]
        let sampled = values["x-b3-sampled"]
        var context = TraceContext(format: "b3", traceId: traceId, spanId: spanId, parentSpanId: parent, flags: sampled)
        context.invalidReason = b3Problem(traceId: traceId[...], spanId: spanId[...], parent: parent?[...], sampled: sampled?[...], sampledValues: ["0", "1"])
        return context
    }

    /// B3 single header: `traceid-spanid[-sampling[-parentspanid]]`.
    static func b3Single(_ value: String) -> TraceContext {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        let traceId = parts.first ?? ""
        let spanId = parts.count > 1 ? parts[1] : ""
        let sampled = parts.count > 2 ? parts[2] : nil
        let parent = parts.count > 3 ? parts[3] : nil
        var context = TraceContext(format: "b3-single", traceId: String(traceId), spanId: String(spanId), parentSpanId: parent.map(String.init), flags: sampled.map(String.init))
        if parts.count < 2 {
            context.invalidReason = "b3 carries no trace and span id (a lone sampling state)"
        } else if parts.count > 4 {
            context.invalidReason = "b3 has more than four fields"
        } else {
            context.invalidReason = b3Problem(traceId: traceId, spanId: spanId, parent: parent, sampled: sampled, sampledValues: ["0", "1", "d"])
        }
        return context
    }

    static func b3Problem(traceId: Substring, spanId: Substring, parent: Substring?, sampled: Substring?, sampledValues: Set<Substring>) -> String? {
        guard isLowerHex(traceId, count: 16) || isLowerHex(traceId, count: 32) else { return "trace id is not 16 or 32 lowercase hex digits" }
        guard !isZero(traceId) else { return "trace id is all zeros" }
        guard isLowerHex(spanId, count: 16) else { return "span id is not 16 lowercase hex digits" }
        guard !isZero(spanId) else { return "span id is all zeros" }
        if let parent, !isLowerHex(parent, count: 16) || isZero(parent) { return "parent span id is not 16 lowercase hex digits, not all zeros" }
        if let sampled, !sampledValues.contains(sampled) { return "sampling state '\(sampled)' is not one of \(sampledValues.sorted().joined(separator: ", "))" }
        return nil
    }

    /// Jaeger: `traceid:spanid:parentspanid:flags`, hex without leading zeros allowed.
    static func jaeger(_ value: String) -> TraceContext {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4 else {
            return TraceContext(format: "jaeger", traceId: "", spanId: "", invalidReason: "uber-trace-id needs four ':'-separated fields")
        }
        let hex: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy(\.isHexDigit) }
        var context = TraceContext(format: "jaeger", traceId: parts[0].lowercased(), spanId: parts[1].lowercased(),
                                   parentSpanId: parts[2].lowercased(), flags: String(parts[3]))
        if !hex(parts[0]) || parts[0].count > 32 || isZero(parts[0]) {
            context.invalidReason = "trace id is not 1 to 32 hex digits, not all zeros"
        } else if !hex(parts[1]) || parts[1].count > 16 || isZero(parts[1]) {
            context.invalidReason = "span id is not 1 to 16 hex digits, not all zeros"
        } else if !hex(parts[2]) || parts[2].count > 16 {
            context.invalidReason = "parent span id is not 1 to 16 hex digits"
        } else if !hex(parts[3]) || parts[3].count > 2 {
            context.invalidReason = "flags are not 1 or 2 hex digits"
        }
        return context
    }
}
