/// The id rules both B3 encodings share (b3-propagation README, "Identifiers"): a trace id of
/// 16 or 32 lowercase hex digits, span and parent span ids of 16. All-zero ids are rejected,
/// as OpenTelemetry's B3 propagators do: zero is no id.
enum B3Ids {
    static func traceId(_ digits: ArraySlice<UInt8>, header: String) -> Result<TraceID, InvalidReason> {
        guard digits.count == 16 || digits.count == 32, Bytes.isLowercaseHex(digits, count: 16...32) else {
            return .failure(InvalidReason(header: header, problem: "trace id '\(Bytes.text(digits))' is not 16 or 32 lowercase hex digits"))
        }
        guard !Bytes.isZero(digits) else { return .failure(InvalidReason(header: header, problem: "trace id is all zeros")) }
        return .success(TraceID(lowercaseHex: digits))
    }

    static func spanId(_ digits: ArraySlice<UInt8>, header: String, field: String = "span id") -> Result<SpanID, InvalidReason> {
        guard Bytes.isLowercaseHex(digits, count: 16...16) else {
            return .failure(InvalidReason(header: header, problem: "\(field) '\(Bytes.text(digits))' is not 16 lowercase hex digits"))
        }
        guard !Bytes.isZero(digits) else { return .failure(InvalidReason(header: header, problem: "\(field) is all zeros")) }
        return .success(SpanID(lowercaseHex: digits))
    }
}
