/// HTTP/1.x detection at the start of the TCP payload.
///
/// ```swift
/// HTTP(requests: true, responses: true)
/// HTTP(methods: ["GET", "POST"])
/// ```
public func HTTP(requests: Bool = true, responses: Bool = false, methods: [String] = HTTPDetection.allMethods, line: Int = #line) -> HTTPDetection {
    HTTPDetection(requests: requests, responses: responses, methods: methods, line: line)
}

extension HTTPDetection: SpecComponent {
    public func apply(to spec: inout SpecIR) {
        spec.http = self
    }
}

extension SearchWindow: SpecComponent {
    /// The trace-context search: how many bytes of the payload, where, and which formats.
    ///
    /// ```swift
    /// SearchWindow(bytes: 8192, placement: .anywhere,
    ///              formats: .w3c(tracestate: true), .b3Multi, .custom(name: "x-request-id", maxValueBytes: 36))
    /// ```
    public init(bytes: Int, placement: Placement = .fixed, formats: TraceContextFormat..., line: Int = #line) {
        self.init(formats: formats, placement: placement, bytes: bytes, line: line)
    }

    public func apply(to spec: inout SpecIR) {
        spec.search = self
    }
}
