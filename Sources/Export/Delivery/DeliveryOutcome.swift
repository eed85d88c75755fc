/// What one request to a backend came to.
enum DeliveryOutcome: Sendable {
    /// Accepted; `rejected` of the batch's items were refused inside an accepted request (OTLP partial success).
    case delivered(rejected: Int, reason: String?)
    /// Worth retrying: connection refused or reset, timeout, 429, 5xx.
    case retryable(String)
    /// Never worth retrying: the backend refused the request itself (400, 404, 413).
    case refused(String)
}
