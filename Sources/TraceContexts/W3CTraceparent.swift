import Spec

/// W3C Trace Context `traceparent`: `version-trace-id-parent-id-trace-flags`, lowercase hex.
///
/// Version 00 is exactly 55 bytes. A later version starts with the same four fields and either
/// ends there or continues with `-` and anything (Level 1 §3.2.4, "Versioning of traceparent").
/// Version `ff` is forbidden.
enum W3CTraceparent {
    static let name = "traceparent"
    static let version00Length = 55

    static func parse(_ header: ObservedHeader, as format: TraceContextFormat) -> Result<TraceContext, InvalidReason> {
        func invalid(_ problem: String) -> Result<TraceContext, InvalidReason> {
            .failure(InvalidReason(header: name, problem: problem))
        }
        guard header.occurrences == 1 else {
            // The W3C suite's test_traceparent_duplicated: two traceparents restart the trace.
            return invalid("more than one traceparent header in the request; exactly one is allowed")
        }
        if let incompleteness = header.incompleteness, header.bytes.count < version00Length {
            return invalid("\(incompleteness), fewer than the \(version00Length) every version starts with")
        }
        // Only the copied prefix is split. With at least 55 bytes copied, a field the cut
        // shortens still shows more digits than it may have, or lies past trace-flags: so a
        // field error found in the copy is an error of the whole value.
        let fields = Bytes.split(header.bytes, on: "-")
        let version = fields[0]
        guard Bytes.isLowercaseHex(version, count: 2...2) else {
            return invalid("version '\(Bytes.text(version))' is not two lowercase hex digits")
        }
        let versionText = Bytes.text(version)
        guard versionText != "ff" else { return invalid("version ff is forbidden") }
        let layout: [(field: String, digits: Int, zeroForbidden: Bool)] = [
            ("trace-id", 32, true), ("parent-id", 16, true), ("trace-flags", 2, false),
        ]
        for (index, rule) in layout.enumerated() {
            guard index + 1 < fields.count else { return invalid("\(rule.field) is missing") }
            let field = fields[index + 1]
            guard Bytes.isLowercaseHex(field, count: rule.digits...rule.digits) else {
                return invalid("\(rule.field) '\(Bytes.text(field))' is not \(rule.digits) lowercase hex digits")
            }
            if rule.zeroForbidden, Bytes.isZero(field) { return invalid("\(rule.field) is all zeros") }
        }
        if versionText == "00", header.length != version00Length {
            return invalid("version 00 value is \(header.lengthText) bytes; it must be exactly \(version00Length)")
        }
        if header.bytes.count == version00Length, let incompleteness = header.incompleteness {
            // The fields parsed above put a '-' at byte 56 whenever it was copied (and then what
            // follows is a later version's own); here it was not, or the line's end was not seen.
            return invalid("version \(versionText): \(incompleteness), so what follows trace-flags (the end, or '-' in a later version) cannot be checked")
        }
        let flags = fields[3]
        let flagsValue = UInt8(Bytes.text(flags), radix: 16) ?? 0
        let context = TraceContext(
            format: format,
            traceId: TraceID(lowercaseHex: fields[1]),
            spanId: SpanID(lowercaseHex: fields[2]),
            sampling: Sampling(sampled: flagsValue & 1 == 1),
            rawFlags: Bytes.text(flags)
        )
        return .success(context)
    }
}
