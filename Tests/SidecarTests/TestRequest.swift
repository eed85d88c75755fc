/// A request as an application sends it to its sidecar: header lines in order, Host first.
struct TestRequest {
    var name: String
    var requestLine: String
    /// Without the body framing (Content-Length, Transfer-Encoding), which `bytes` adds.
    var headers: [(name: String, value: String)]
    var body: [UInt8] = []
    var chunked = false

    /// Every request carries `x-test-request: NAME`, which finds it again among the upstream's records.
    init(_ name: String, _ requestLine: String, headers: [(String, String)], body: [UInt8] = [], chunked: Bool = false) {
        self.name = name
        self.requestLine = requestLine
        self.headers = headers.map { (name: $0.0, value: $0.1) } + [(name: "X-Test-Request", value: name)]
        self.body = body
        self.chunked = chunked
    }

    var bytes: [UInt8] {
        var head = requestLine + "\r\n" + headers.map { "\($0.name): \($0.value)\r\n" }.joined()
        if chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n"
            var out = Array(head.utf8)
            // Uneven chunks, so the body's framing on the upstream side is Envoy's own.
            var rest = body[...]
            for size in [5, 4096, 1] + [rest.count] where !rest.isEmpty {
                let chunk = rest.prefix(size)
                out += Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + Array("\r\n".utf8)
                rest = rest.dropFirst(chunk.count)
            }
            return out + Array("0\r\n\r\n".utf8)
        }
        if !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    static let appTraceID = "0af7651916cd43dd8448eb211c80319c"
    static let appSpanID = "b7ad6b7169203331"

    /// A body no two offsets of which look alike for long, so a lost or moved byte shows.
    static func body(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// The shapes both tracers get: a context the application sent or none, repeated headers, bodies.
    static func common(context: [(String, String)]) -> [TestRequest] {
        [
            TestRequest("app-context", "POST /orders HTTP/1.1", headers: [
                ("Host", "orders.shop.svc:8080"), ("User-Agent", "shop-frontend/2.1"), ("Accept", "application/json")]
                + context + [("X-Tenant", "blue"), ("Content-Type", "application/json")],
                body: Array(#"{"item":42,"count":1}"#.utf8)),
            TestRequest("no-context", "GET /index.html HTTP/1.1", headers: [
                ("Host", "web.shop.svc"), ("User-Agent", "curl/8.5.0"), ("Accept", "*/*"), ("Accept-Encoding", "gzip"),
                ("Cookie", "session=abc123")]),
            // A Jaeger context the tracer does not write: the filter moves every context the spec knows.
            TestRequest("repeated", "GET /cart HTTP/1.1", headers: [
                ("Host", "cart.shop.svc"), ("X-Rep", "1"), ("Cookie", "a=1"), ("uber-trace-id", "\(appTraceID):\(appSpanID):0:1"),
                ("X-Rep", "2"), ("Cookie", "b=2"), ("Accept", "text/html"), ("X-Rep", "3"), ("X-Empty", "")]),
            TestRequest("chunked", "POST /upload HTTP/1.1", headers: [
                ("Host", "files.shop.svc"), ("User-Agent", "uploader/1.0"), ("Content-Type", "application/octet-stream")],
                body: body(10_000, seed: 1), chunked: true),
            TestRequest("one-mebibyte", "PUT /blob HTTP/1.1", headers: [
                ("Host", "files.shop.svc"), ("Accept", "*/*")] + context,
                body: body(1 << 20, seed: 2)),
        ]
    }
}
