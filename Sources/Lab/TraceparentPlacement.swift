/// Where a request carries its `traceparent` header.
public enum TraceparentPlacement: String, Sendable, Hashable, Codable, CaseIterable {
    /// The first header after the request line.
    case fixed
    /// After about a kilobyte of other headers (`HTTPRequest.defaultPadding` bytes from the payload's start).
    case anywhere
}
