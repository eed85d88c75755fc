import Spec
import TraceContexts

/// What the kernel records of a request's header block, derived the way the kernel will: so
/// that a vector's raw header lines, sent on the wire by a kernel test, and its user-space run
/// here meet the parser with the same `ObservedHeader`s.
///
/// For every header the spec's formats read (`ContextParser.headersRead(by:)`): names match
/// case-insensitively; the value is the field value with leading and trailing optional
/// whitespace (SP, HTAB) removed; the first occurrence is copied, at most `maxValueBytes` of
/// it; `cut` whether it is longer, `length` its whole length, or when cut one more than the copy
/// (the kernel sees that the line goes on, not where it ends); `occurrences` counts every line
/// of that name (the kernel reports 1 or 2). Headers no format reads are not recorded at all.
enum KernelView {
    static func observe(_ lines: [[String]], formats: [TraceContextFormat]) -> [ObservedHeader] {
        var recorded: [ObservedHeader] = []
        for (name, maxValueBytes) in copySizes(formats) {
            let values = lines.filter { $0[0].lowercased() == name }.map { fieldValue($0[1]) }
            guard let first = values.first else { continue }
            recorded.append(ObservedHeader(
                name: name,
                bytes: Array(first.prefix(maxValueBytes)),
                length: first.count > maxValueBytes ? maxValueBytes + 1 : first.count,
                cut: first.count > maxValueBytes,
                occurrences: min(values.count, 2)
            ))
        }
        return recorded
    }

    /// Each header read by `formats` once, with the bytes the kernel copies of it.
    static func copySizes(_ formats: [TraceContextFormat]) -> [(name: String, maxValueBytes: Int)] {
        var sizes: [(name: String, maxValueBytes: Int)] = []
        for header in formats.flatMap(ContextParser.headersRead(by:)) where !sizes.contains(where: { $0.name == header.name }) {
            sizes.append(header)
        }
        return sizes
    }

    /// RFC 9110 §5.5: a field value excludes the optional whitespace around it.
    static func fieldValue(_ raw: String) -> [UInt8] {
        let bytes = Array(raw.utf8)
        let isOWS: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isOWS($0) }), let last = bytes.lastIndex(where: { !isOWS($0) }) else { return [] }
        return Array(bytes[first...last])
    }
}
