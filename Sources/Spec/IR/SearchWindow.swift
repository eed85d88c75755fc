/// Where and how far the L7 stage looks for the trace context in the HTTP header block.
public struct SearchWindow: Codable, Hashable, Sendable {
    public static let bytesRange = 1...65536

    public var formats: [TraceContextFormat]
    public var placement: Placement
    /// Bytes of the TCP payload, from its first byte (the request line's), within which a
    /// context header's line must begin to be found. Its value is kept whole even when it
    /// runs past the window.
    public var bytes: Int
    public var line: Int?

    /// The window a spec gets when it declares none: 200 bytes, W3C `traceparent` first after the request line.
    public static let standard = SearchWindow(formats: [.w3c(tracestate: false)], placement: .fixed, bytes: 200)

    // No defaults here: `SearchWindow(bytes: 200)` in a spec must reach the DSL initializer,
    // which records its line, not this one.
    public init(formats: [TraceContextFormat], placement: Placement, bytes: Int, line: Int? = nil) {
        self.formats = formats
        self.placement = placement
        self.bytes = bytes
        self.line = line
    }
}

public enum Placement: String, Codable, Hashable, Sendable, CaseIterable {
    /// The context is the first header after the request line (the paper's proposed format).
    case fixed
    /// The context may be any header of the block (the original format).
    case anywhere
}

/// A trace-context propagation format, by the HTTP headers that carry it.
public enum TraceContextFormat: Codable, Hashable, Sendable {
    /// W3C Trace Context: `traceparent`, and `tracestate` when asked for.
    case w3c(tracestate: Bool)
    /// Zipkin B3 multi-header: `X-B3-TraceId`, `X-B3-SpanId`, `X-B3-ParentSpanId`, `X-B3-Sampled`,
    /// `X-B3-Flags` (debug).
    case b3Multi
    /// Zipkin B3 single header: `b3`.
    case b3Single
    /// Jaeger: `uber-trace-id`.
    case jaeger
    /// Any header, by name, with the longest value worth keeping.
    case custom(name: String, maxValueBytes: Int)

    /// The headers that carry this format, each with the longest value kept, in slot order.
    public var headers: [ContextHeader] {
        switch self {
        case .w3c(let tracestate):
            [ContextHeader(name: "traceparent", maxValueBytes: 55)]
                + (tracestate ? [ContextHeader(name: "tracestate", maxValueBytes: 256)] : [])
        case .b3Multi:
            [
                ContextHeader(name: "x-b3-traceid", maxValueBytes: 32),
                ContextHeader(name: "x-b3-spanid", maxValueBytes: 16),
                ContextHeader(name: "x-b3-parentspanid", maxValueBytes: 16),
                ContextHeader(name: "x-b3-sampled", maxValueBytes: 1),
                ContextHeader(name: "x-b3-flags", maxValueBytes: 1),
            ]
        case .b3Single: [ContextHeader(name: "b3", maxValueBytes: 68)]
        case .jaeger: [ContextHeader(name: "uber-trace-id", maxValueBytes: 70)]
        case .custom(let name, let max): [ContextHeader(name: name.lowercased(), maxValueBytes: max)]
        }
    }

    public var label: String {
        switch self {
        case .w3c: "w3c"
        case .b3Multi: "b3"
        case .b3Single: "b3-single"
        case .jaeger: "jaeger"
        case .custom(let name, _): "custom:\(name.lowercased())"
        }
    }
}

/// One HTTP header that carries (part of) a trace context. Names are lowercase: matching is case-insensitive.
public struct ContextHeader: Codable, Hashable, Sendable {
    public var name: String
    public var maxValueBytes: Int
}
