/// What an exporter did with the observations it was given. Every observation submitted ends in
/// exactly one of: exported, one of the dropped counts, filtered, or still queued/in flight.
public struct ExportCounters: Sendable, Hashable, Codable {
    /// Accepted by the backend.
    public var exported = 0
    /// Refused at submit because the queue was full (backend slow or down).
    public var droppedQueueFull = 0
    /// Given up on after `maxAttempts` failed requests, or still unsent at shutdown's deadline.
    public var droppedAfterRetries = 0
    /// Refused by the backend for good (4xx other than 429, or an OTLP partial success's rejected spans).
    public var droppedRejected = 0
    /// Could not be encoded for this backend (a newline in an InfluxDB tag).
    public var droppedUnencodable = 0
    /// Not exported by policy: unsampled contexts without `exportUnsampled`, hops without a trace context.
    public var filtered = 0
    /// Requests that failed (connection error, timeout, 429, 5xx, rejection); a batch retried three times counts three.
    public var failedRequests = 0

    public init() {}

    public var dropped: Int { droppedQueueFull + droppedAfterRetries + droppedRejected + droppedUnencodable }
}
