import Foundation

/// One request as the upstream read it off the wire: its header lines in order, and its body.
struct WireRequest {
    struct Header: Equatable, CustomStringConvertible {
        var name: String
        var value: String
        var description: String { "\(name): \(value)" }
    }

    var requestLine: String
    /// Every header line in wire order, `headers[0]` being the first line after the request line.
    var headers: [Header]
    /// The body as sent, chunk framing removed.
    var body: [UInt8]

    init(raw: [UInt8]) throws {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = Self.find(separator, in: raw, from: 0) else { throw SidecarError("no end of the header block in \(raw.count) bytes") }
        let lines = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        requestLine = lines[0]
        headers = try lines.dropFirst().map { line in
            guard let colon = line.firstIndex(of: ":") else { throw SidecarError("header line without a colon: '\(line)'") }
            return Header(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let rest = Array(raw[(end + separator.count)...])
        let chunked = headers.contains { $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased().contains("chunked") }
        body = chunked ? try Self.dechunk(rest) : rest
    }

    /// The values of `name` (any case), in wire order.
    func values(_ name: String) -> [String] { headers.filter { $0.name.lowercased() == name }.map(\.value) }

    static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = [], at = 0
        let crlf = Array("\r\n".utf8)
        while true {
            guard let lineEnd = find(crlf, in: bytes, from: at),
                  let size = Int(String(decoding: bytes[at..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16)
            else { throw SidecarError("bad chunk size line at byte \(at)") }
            if size == 0 { return body }
            let start = lineEnd + 2
            guard start + size + 2 <= bytes.count else { throw SidecarError("chunk of \(size) bytes runs past the end") }
            body += bytes[start..<(start + size)]
            at = start + size + 2
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
