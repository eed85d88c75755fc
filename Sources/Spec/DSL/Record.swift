/// The fields of the event record, in order.
///
/// ```swift
/// Record(.timestamp, .innerFiveTuple, .field(tcp.seqNo), .optionalField(vxlan.vni), .traceContext)
/// ```
public func Record(_ fields: RecordField..., line: Int = #line) -> EventRecord {
    EventRecord(fields: fields, line: line)
}

extension EventRecord: SpecComponent {
    public func apply(to spec: inout SpecIR) {
        spec.record = self
    }
}

extension RecordField {
    /// A header field that every path to the search extracts.
    public static func field(_ ref: FieldRef, line: Int = #line) -> RecordField {
        .header(ref, optional: false, line: line)
    }

    /// A header field that some paths lack: zero there, and flagged absent.
    public static func optionalField(_ ref: FieldRef, line: Int = #line) -> RecordField {
        .header(ref, optional: true, line: line)
    }
}
