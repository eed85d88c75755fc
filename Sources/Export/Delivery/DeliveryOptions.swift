/// How an exporter queues, batches and retries. Memory is bounded by `queueCapacity` items plus
/// one batch in flight, whatever the backend does.
public struct DeliveryOptions: Sendable, Hashable {
    /// Items waiting beyond this are dropped (and counted) instead of queued.
    public var queueCapacity: Int
    /// At most this many items per request.
    public var batchSize: Int
    /// A partial batch is sent when its oldest item has waited this long.
    public var flushInterval: Duration
    /// Attempts per batch, the first included, before its items are dropped (and counted).
    public var maxAttempts: Int
    /// The wait before the first retry; doubled each retry up to `maxBackoff`, with jitter.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// One request's time limit: a backend that accepts the connection and never answers is a failure.
    public var requestTimeout: Duration

    public init(queueCapacity: Int = 8192, batchSize: Int = 512, flushInterval: Duration = .seconds(1), maxAttempts: Int = 5,
                initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5), requestTimeout: Duration = .seconds(5)) {
        precondition(queueCapacity > 0 && batchSize > 0 && maxAttempts > 0, "queue capacity, batch size and attempts must be positive")
        self.queueCapacity = queueCapacity
        self.batchSize = batchSize
        self.flushInterval = flushInterval
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.requestTimeout = requestTimeout
    }

    /// The wait before retry number `retry` (1 = the first retry): exponential, capped, and spread
    /// over its upper half so that runners on many nodes do not retry in step after an outage.
    func backoff(beforeRetry retry: Int) -> Duration {
        let base = min(initialBackoff.timeInterval * pow2(retry - 1), maxBackoff.timeInterval)
        return .nanoseconds(Int64(base * Double.random(in: 0.5...1.0) * 1e9))
    }

    private func pow2(_ exponent: Int) -> Double { Double(1 << min(max(exponent, 0), 30)) }
}
