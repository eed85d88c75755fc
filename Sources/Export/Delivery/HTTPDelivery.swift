import Foundation

/// The delivery an HTTP exporter runs on: one `HTTPPoster` and the `DeliveryQueue` whose worker
/// thread hands each batch to `post` with that poster. `shutdown` drains the queue, then closes the
/// poster. The exporter keeps what is its own: how an item is made, encoded and answered.
final class HTTPDelivery<Item: Sendable>: Sendable {
    private let poster: HTTPPoster
    private let queue: DeliveryQueue<Item>

    init(name: String, options: DeliveryOptions, post: @escaping @Sendable (_ batch: [Item], _ poster: HTTPPoster) -> DeliveryOutcome) {
        let poster = HTTPPoster(timeout: options.requestTimeout)
        self.poster = poster
        queue = DeliveryQueue(name: name, options: options) { batch in post(batch, poster) }
    }

    /// Queues `item`; false (and counted) when the queue is full or delivery is shut down.
    @discardableResult
    func submit(_ item: Item) -> Bool { queue.submit(item) }

    /// Counts an item that never reached the queue: `\.filtered` or `\.droppedUnencodable`.
    func count(_ counter: WritableKeyPath<ExportCounters, Int>) { queue.count(counter) }

    var counters: ExportCounters { queue.counters }

    /// Why the last request failed; nil until one has.
    var lastFailure: String? { queue.lastFailure }

    /// Waits until what was submitted so far is sent or dropped; false if `timeout` came first.
    @discardableResult
    func flush(timeout: Duration) -> Bool { queue.flush(timeout: timeout) }

    /// Sends what is queued (retrying until `timeout`), then stops; the rest is counted as dropped.
    func shutdown(timeout: Duration) {
        queue.shutdown(timeout: timeout)
        poster.close()
    }
}

extension HTTPPoster {
    /// POSTs `body` and says what came of it: no response is worth retrying, a 2xx is what
    /// `accepted` makes of it (by default, all delivered), any other status is `failureOutcome`.
    func deliver(_ body: Data, to url: URL, contentType: String,
                 accepted: (Response) -> DeliveryOutcome = { _ in .delivered(rejected: 0, reason: nil) }) -> DeliveryOutcome {
        switch post(url, body: body, contentType: contentType) {
        case .failure(let failure):
            return .retryable(failure.description)
        case .success(let response) where (200...299).contains(response.status):
            return accepted(response)
        case .success(let response):
            return response.failureOutcome(what: "POST \(url.absoluteString)")
        }
    }
}
