/// `HOST:PORT` as `--metrics-address` takes it: `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:0` (any free port).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws {
        let host: Substring, port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") {
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            throw ExportError.badAddress("'\(text)' is not HOST:PORT (an IPv6 host goes in brackets: [::1]:9464)")
        }
        guard !host.isEmpty, let number = Int(port), (0...65535).contains(number) else {
            throw ExportError.badAddress("'\(text)' is not HOST:PORT with a port from 0 to 65535")
        }
        self.host = String(host)
        self.port = number
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
