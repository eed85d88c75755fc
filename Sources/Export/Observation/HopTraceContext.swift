/// The trace context of the request a hop belongs to, normalised for export: the trace id as 32
/// lowercase hex digits (B3's and Jaeger's shorter ids left-padded with zeros, as OpenTelemetry
/// and Zipkin do), and the context's span id, the span that sent the request, which becomes the
/// parent of the hop's span.
public struct HopTraceContext: Sendable, Hashable {
    public let traceId: String
    public let parentSpanId: String
    /// true sampled, false not sampled (W3C flags 00, B3 0), nil when the context does not say (B3 deferred).
    public let sampled: Bool?
    /// The context's format as the runner names it: "w3c", "b3", "b3-single", "jaeger".
    public let format: String

    /// Validates and pads; throws when an id is not hex, too long or all zeros.
    public init(format: String, traceId: String, spanId: String, sampled: Bool?) throws {
        self.traceId = try TraceIdentifier.padded(traceId, digits: 32, what: "trace id")
        self.parentSpanId = try TraceIdentifier.padded(spanId, digits: 16, what: "span id")
        self.sampled = sampled
        self.format = format
    }

    /// The sampling decision a context's flags carry, by the runner's format names: W3C and
    /// Jaeger flags are hex with bit 0 = sampled; B3's are "1", "0" or "d" (debug, implies sampled).
    public static func sampled(format: String, flags: String?) -> Bool? {
        guard let flags, !flags.isEmpty else { return nil }
        switch format {
        case "b3", "b3-single":
            switch flags {
            case "1", "d": return true
            case "0": return false
            default: return nil
            }
        default:
            return UInt8(flags, radix: 16).map { $0 & 1 == 1 }
        }
    }
}

/// Hex trace and span identifiers.
public enum TraceIdentifier {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `hex` lowercased and left-padded with zeros to `digits`: a 64-bit B3 trace id becomes the
    /// 128-bit id OpenTelemetry uses, `463ac35c9f6413ad` → `0000000000000000463ac35c9f6413ad`.
    public static func padded(_ hex: String, digits: Int, what: String) throws -> String {
        let lower = hex.lowercased()
        guard !lower.isEmpty, lower.count <= digits, lower.allSatisfy({ $0.isHexDigit }) else {
            throw Invalid(description: "\(what) '\(hex)' is not 1 to \(digits) hex digits")
        }
        guard lower.contains(where: { $0 != "0" }) else { throw Invalid(description: "\(what) '\(hex)' is all zeros") }
        return String(repeating: "0", count: digits - lower.count) + lower
    }

    /// The bytes of an even-length hex string already validated by `padded`.
    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for char in hex.utf8 {
            let nibble = char <= 57 ? char - 48 : (char | 0x20) - 87
            if let value = high {
                result.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return result
    }
}
