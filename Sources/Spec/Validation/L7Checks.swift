extension SpecValidator {
    mutating func checkL7() {
        let http = ir.http
        if !http.requests && !http.responses {
            report(http.line, "HTTP detection recognises neither requests nor responses")
        }
        if http.requests && http.methods.isEmpty {
            report(http.line, "HTTP request detection needs at least one method")
        }
        for method in http.methods where method.isEmpty || method.contains(where: { !($0.isUppercase && $0.isASCII) }) {
            report(http.line, "HTTP method '\(method)' is not an uppercase token")
        }
        // The detector compares the method and its space in one 8-byte word.
        for method in http.methods where method.utf8.count > HTTPDetection.maxMethodLength {
            report(http.line, "HTTP method '\(method)' is longer than \(HTTPDetection.maxMethodLength) characters, which request detection compares")
        }
        let search = ir.search
        if !SearchWindow.bytesRange.contains(search.bytes) {
            report(search.line, "search window of \(search.bytes) bytes is out of range: windows are 1 B to 64 KiB (\(SearchWindow.bytesRange.upperBound) bytes)")
        }
        if search.formats.isEmpty {
            report(search.line, "search window names no trace-context format")
        }
        checkUnique(search.formats, kind: "trace-context format", name: \.label, line: { _ in search.line })
        // A format named twice is reported above; only distinct formats can clash on a header.
        let distinct = search.formats.reduce(into: [TraceContextFormat]()) { formats, format in
            if !formats.contains(where: { $0.label == format.label }) { formats.append(format) }
        }
        let headerNames = distinct.flatMap(\.headers).map(\.name)
        var seen: Set<String> = [], clashing: Set<String> = []
        for name in headerNames where !seen.insert(name).inserted && clashing.insert(name).inserted {
            // In format order, not Set order: diagnostics stay stable from run to run.
            report(search.line, "context header '\(name)' belongs to more than one format")
        }
        for case .custom(let name, let max) in search.formats {
            if name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                report(search.line, "custom context header name '\(name)' is not an HTTP header token")
            }
            if !(1...256).contains(max) {
                report(search.line, "custom context header '\(name)' keeps \(max) value bytes; keep 1 to 256")
            }
        }
    }
}
