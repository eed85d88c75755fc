/// Where a request's trace context sits in its header block, and the checks the tests make of it.
enum Placement {
    /// The header names of every trace-context format of the spec DSL (docs/dsl.md).
    static let contextNames: Set<String> = [
        "traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags",
        "b3", "uber-trace-id",
    ]
    /// Headers Envoy gives a fresh value on each request or attempt.
    static let volatileNames: Set<String> = ["x-request-id", "x-envoy-expected-rq-timeout-ms"]

    static func isContext(_ header: WireRequest.Header) -> Bool { contextNames.contains(header.name.lowercased()) }

    /// The 1-based header line numbers of the context headers (line 1 is the line after the request line).
    static func contextLines(_ request: WireRequest) -> [Int] {
        request.headers.indices.filter { isContext(request.headers[$0]) }.map { $0 + 1 }
    }

    /// Byte offsets from the first byte of the request line (the TCP payload's first byte) of the
    /// context lines: where the first starts, where the last starts, and where the last ends.
    static func contextBytes(_ request: WireRequest) -> String {
        let lines = contextLines(request)
        guard let first = lines.first, let last = lines.last else { return "none" }
        func start(ofLine line: Int) -> Int {
            request.requestLine.utf8.count + 2 + request.headers.prefix(line - 1).reduce(0) { $0 + "\($1)".utf8.count + 2 }
        }
        return "first starts at \(start(ofLine: first)), last starts at \(start(ofLine: last)), ends at \(start(ofLine: last + 1) - 2)"
    }

    /// The non-context headers, the values Envoy renews on every request blanked out.
    static func others(_ request: WireRequest) -> [WireRequest.Header] {
        request.headers.filter { !isContext($0) }.map {
            volatileNames.contains($0.name.lowercased()) ? WireRequest.Header(name: $0.name, value: "…") : $0
        }
    }
}
