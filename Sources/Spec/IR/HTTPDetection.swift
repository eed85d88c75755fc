/// Which HTTP/1.x messages the L7 stage recognises at the start of a TCP payload.
public struct HTTPDetection: Codable, Hashable, Sendable {
    /// Every request method of RFC 9110 plus PATCH (RFC 5789).
    public static let allMethods = ["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"]

    /// The longest method request detection recognises: the method and its space fill one word.
    public static let maxMethodLength = 7

    public var requests: Bool
    public var responses: Bool
    public var methods: [String]
    public var line: Int?

    public init(requests: Bool = true, responses: Bool = false, methods: [String] = HTTPDetection.allMethods, line: Int? = nil) {
        self.requests = requests
        self.responses = responses
        self.methods = methods
        self.line = line
    }
}
