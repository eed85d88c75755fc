import Spec
import TraceContexts

/// What the kernel records of a request's header block, derived the way the kernel will: so
/// that a vector's raw header lines, sent on the wire by a kernel test, and its user-space run
/// here meet the parser with the same `ObservedHeader`s.
///
/// For every header of the spec's formats: names match case-insensitively; the value is the
/// field value with leading and trailing optional whitespace (SP, HTAB) removed; the first
/// occurrence is copied, at most `maxValueBytes` of it; `cut` whether it is longer, `length` its
/// whole length (the kernel measures the line to its end: every vector's lines end well within
/// its reach, so `lineEnd` is `.seen`); `occurrences` counts every line of that name (the kernel
/// reports 1 or 2). Headers no format reads are not recorded at all.
public enum KernelView {
    public static func observe(_ lines: [[String]], formats: [TraceContextFormat]) -> [ObservedHeader] {
        var recorded: [ObservedHeader] = []
        for (name, maxValueBytes) in copySizes(formats) {
            let values = lines.filter { $0[0].lowercased() == name }.map { fieldValue($0[1]) }
            guard let first = values.first else { continue }
            recorded.append(ObservedHeader(
                name: name,
                bytes: Array(first.prefix(maxValueBytes)),
                length: first.count,
                cut: first.count > maxValueBytes,
                occurrences: min(values.count, 2)
            ))
        }
        return recorded
    }

    /// Each header read by `formats` once, with the bytes the kernel copies of it.
    public static func copySizes(_ formats: [TraceContextFormat]) -> [(name: String, maxValueBytes: Int)] {
        var sizes: [(name: String, maxValueBytes: Int)] = []
        for header in formats.flatMap(\.headers) where !sizes.contains(where: { $0.name == header.name }) {
            sizes.append((header.name, header.maxValueBytes))
        }
        return sizes
    }

    /// RFC 9110 §5.5: a field value excludes the optional whitespace around it.
    public static func fieldValue(_ raw: String) -> [UInt8] {
        let bytes = Array(raw.utf8)
        let isOWS: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isOWS($0) }), let last = bytes.lastIndex(where: { !isOWS($0) }) else { return [] }
        return Array(bytes[first...last])
    }
}
