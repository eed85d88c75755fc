import PacketKit

/// A captured request's header lines, in wire order, and where its trace context sits among them.
struct HeaderLines {
    static let contextNames: Set<String> = ["traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid",
                                            "x-b3-sampled", "x-b3-flags", "b3", "uber-trace-id"]
    var names: [String]
    var values: [String: String]
    var body: [UInt8]

    init(_ request: CapturedRequest) {
        let bytes = request.payload
        let end = (0..<max(0, bytes.count - 3)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
        let head = String(decoding: bytes[..<(end ?? bytes.count)], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n").dropFirst()
        names = lines.map { String($0.prefix { $0 != ":" }).lowercased() }
        values = Dictionary(lines.map { line in
            let name = String(line.prefix { $0 != ":" }).lowercased()
            return (name, String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces))
        }, uniquingKeysWith: { first, _ in first })
        body = end.map { Array(bytes[($0 + 4)...]) } ?? []
    }

    /// 1-based header line numbers of the context headers.
    var contextLines: [Int] { names.indices.filter { Self.contextNames.contains(names[$0]) }.map { $0 + 1 } }
    /// The other headers' names, in order.
    var others: [String] { names.filter { !Self.contextNames.contains($0) } }
}
