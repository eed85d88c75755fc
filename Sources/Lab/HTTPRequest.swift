import Spec

/// The exact bytes of a GET request carrying a `traceparent`, header order included, so the
/// wire shows what the placement says.
///
/// fixed:    `GET /path HTTP/1.1`, `traceparent`, `Host`, `User-Agent`, `Accept`[, `Connection: close`]
/// anywhere: `GET /path HTTP/1.1`, `Host`, `User-Agent`, `Accept`, `X-Lab-Padding-NN`..., `traceparent`[, `Connection: close`],
///           the padding sized so that the `traceparent` line begins `padding` bytes into the payload.
/// `Connection: close` is sent unless `keepAlive`.
public struct HTTPRequest: Sendable, Hashable {
    public static let defaultPadding = 1024
    public static let path = "/index.html"

    /// What comes before the `traceparent` header's value, and after it.
    public var head: String
    public var tail: String

    /// `extra`: header lines (each ending in CRLF) after the common ones: with `anywhere`, before
    /// the padding, and `trailer` after the `traceparent` line (Istio metadata, cookies).
    public init(placement: Placement, host: String, path: String = HTTPRequest.path, padding: Int = HTTPRequest.defaultPadding,
                keepAlive: Bool = false, extra: String = "", trailer: String = "") {
        let requestLine = "GET \(path) HTTP/1.1\r\n"
        let common = "Host: \(host)\r\nUser-Agent: meshtrace-lab\r\nAccept: */*\r\n" + extra
        let close = keepAlive ? "" : "Connection: close\r\n"
        switch placement {
        case .fixed:
            head = requestLine + "traceparent: "
            tail = "\r\n" + common + trailer + close + "\r\n"
        case .anywhere:
            let before = requestLine + common
            head = before + HTTPRequest.paddingHeaders(bytes: padding - before.utf8.count) + "traceparent: "
            tail = "\r\n" + trailer + close + "\r\n"
        }
    }

    /// The request carrying `context`.
    public func bytes(carrying context: RequestContext) -> String {
        head + context.traceparent + tail
    }

    /// Byte offset, from the payload's first byte, at which the `traceparent` line begins.
    public var contextOffset: Int { head.utf8.count - "traceparent: ".utf8.count }

    /// Headers `X-Lab-Padding-NN: mmm...` totalling `bytes` bytes (or a little more when `bytes` is too small for one header).
    public static func paddingHeaders(bytes: Int) -> String {
        var remaining = bytes
        var headers = ""
        var index = 1
        let filler = Array("meshtrace-lab-padding-".utf8)
        while remaining > 0 {
            let name = "X-Lab-Padding-\(index < 10 ? "0" : "")\(index): "
            let overhead = name.utf8.count + 2
            // Lines of at most 100 bytes, and never leave a remainder too short for a header of its own.
            var length = min(remaining, 100)
            if remaining - length > 0 && remaining - length < overhead + 1 { length = remaining - (overhead + 1) }
            let valueLength = max(1, length - overhead)
            let value = String(decoding: (0..<valueLength).map { filler[$0 % filler.count] }, as: UTF8.self)
            headers += name + value + "\r\n"
            remaining -= overhead + valueLength
            index += 1
        }
        return headers
    }
}
