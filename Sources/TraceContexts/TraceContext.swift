import Spec

/// A valid trace context, whatever format carried it, with ids in one canonical form so that
/// contexts of different formats compare and join alike.
public struct TraceContext: Hashable, Sendable {
    public var format: TraceContextFormat
    public var traceId: TraceID
    public var spanId: SpanID
    public var parentSpanId: SpanID?
    public var sampling: Sampling
    /// The flags as sent: W3C `trace-flags`, Jaeger's flags field, B3's sampling state.
    public var rawFlags: String?
    /// W3C only: the parsed `tracestate` list, left to right; nil when none was sent or it was dropped.
    public var tracestate: [TraceStateMember]?

    public init(format: TraceContextFormat, traceId: TraceID, spanId: SpanID, parentSpanId: SpanID? = nil,
                sampling: Sampling, rawFlags: String? = nil, tracestate: [TraceStateMember]? = nil) {
        self.format = format
        self.traceId = traceId
        self.spanId = spanId
        self.parentSpanId = parentSpanId
        self.sampling = sampling
        self.rawFlags = rawFlags
        self.tracestate = tracestate
    }
}

/// A 128-bit trace id. 64-bit B3 and shorter Jaeger ids are left-padded with zeros, as
/// OpenTelemetry's B3 and Jaeger propagators do, so `hex` is always 32 lowercase hex digits.
public struct TraceID: Hashable, Sendable, CustomStringConvertible {
    public let hex: String
    /// The digits as the header carried them, before padding.
    public let original: String

    init(lowercaseHex digits: ArraySlice<UInt8>) {
        original = String(decoding: digits, as: UTF8.self)
        hex = String(repeating: "0", count: 32 - digits.count) + original
    }

    public var description: String { hex }
}

/// A 64-bit span id, always 16 lowercase hex digits (Jaeger's shorter ids left-padded).
public struct SpanID: Hashable, Sendable, CustomStringConvertible {
    public let hex: String
    public let original: String

    init(lowercaseHex digits: ArraySlice<UInt8>) {
        original = String(decoding: digits, as: UTF8.self)
        hex = String(repeating: "0", count: 16 - digits.count) + original
    }

    public var description: String { hex }
}

/// One `key=value` list member of a W3C `tracestate`.
public struct TraceStateMember: Hashable, Sendable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
