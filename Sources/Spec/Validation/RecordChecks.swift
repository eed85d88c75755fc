extension SpecValidator {
    mutating func checkRecord() {
        let record = ir.record
        checkUnique(record.fields, kind: "record field", name: \.label, line: { $0.line ?? record.line })
        if !record.fields.contains(.traceContext) {
            report(record.line, "the record has no .traceContext: events could not be joined to their traces")
        }
        let whereAndWhen: [(RecordField, String)] = [(.timestamp, ".timestamp"), (.tracingPoint, ".tracingPoint"), (.direction, ".direction")]
        let missing = whereAndWhen.filter { !record.fields.contains($0.0) }.map(\.1)
        if !ir.hops.isEmpty && !missing.isEmpty {
            report(record.line, "the record has no \(missing.joined(separator: ", ")): the hops could not be joined (the join reads where and when each packet was seen)")
        }
        for case .header(let ref, let optional, let line) in record.fields {
            guard resolve(ref, line: line ?? record.line, usage: "record field") != nil else { continue }
            if !optional {
                requireExtracted(ref.header, before: ParserGraph.accept, line: line ?? record.line,
                                 usage: "record field '\(ref)' (use .optionalField to allow its absence)")
            }
        }
    }
}

extension RecordField {
    var line: Int? {
        if case .header(_, _, let line) = self { return line }
        return nil
    }
}
