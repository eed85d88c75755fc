import Foundation

/// A bounded queue drained by one worker thread that sends batches with retries and backoff.
/// `submit` only takes a lock and copies the item in, never waits for the backend: when the queue
/// is full the item is dropped and counted. The thread is the only one that talks to the backend,
/// so a slow or dead backend slows nothing but this exporter.
final class DeliveryQueue<Item: Sendable>: @unchecked Sendable {
    private struct Queued {
        var item: Item
        var enqueuedNs: UInt64
    }

    let options: DeliveryOptions
    private let deliver: @Sendable ([Item]) -> DeliveryOutcome
    private let condition = NSCondition()
    private var queue: BoundedQueue<Queued>
    private var inFlight = 0
    private var state = ExportCounters()
    private var failure: String?
    private var stopping = false
    private var flushRequested = false
    private var finished = false
    private var drainDeadlineNs = UInt64.max

    init(name: String, options: DeliveryOptions, deliver: @escaping @Sendable ([Item]) -> DeliveryOutcome) {
        self.options = options
        self.deliver = deliver
        self.queue = BoundedQueue(capacity: options.queueCapacity)
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    var counters: ExportCounters {
        condition.lock()
        defer { condition.unlock() }
        return state
    }

    /// Why the last request failed, for the runner's log; nil until one has.
    var lastFailure: String? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// Queues `item`; false (and counted) when the queue is full or the exporter is shut down.
    @discardableResult
    func submit(_ item: Item) -> Bool {
        let now = KernelClock.monotonicNs()
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, queue.push(Queued(item: item, enqueuedNs: now)) else {
            state.droppedQueueFull += 1
            return false
        }
        // Wake the worker when the queue stops being empty or a batch is full; beyond that it is busy anyway.
        if queue.count == 1 || queue.count == options.batchSize { condition.broadcast() }
        return true
    }

    /// Counts an item that never reached the queue: `\.filtered` or `\.droppedUnencodable`.
    func count(_ counter: WritableKeyPath<ExportCounters, Int>) {
        condition.lock()
        state[keyPath: counter] += 1
        condition.unlock()
    }

    /// Waits until everything queued so far has been sent or dropped, up to `timeout`; true if it was.
    func flush(timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout.timeInterval)
        condition.lock()
        defer { condition.unlock() }
        flushRequested = true
        condition.broadcast()
        while !(queue.isEmpty && inFlight == 0) {
            guard condition.wait(until: deadline) else { break }
        }
        flushRequested = false
        return queue.isEmpty && inFlight == 0
    }

    /// Sends what is queued, retrying until `timeout`; whatever is still unsent then is dropped and
    /// counted. Waits for the worker to end. Later submits are dropped.
    func shutdown(timeout: Duration) {
        condition.lock()
        stopping = true
        drainDeadlineNs = KernelClock.monotonicNs() + timeout.nanoseconds
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            waitForBatch()
            if stopping && (queue.isEmpty || KernelClock.monotonicNs() >= drainDeadlineNs) {
                state.droppedAfterRetries += queue.count
                _ = queue.pop(upTo: queue.count)
                break
            }
            let batch = queue.pop(upTo: options.batchSize).map(\.item)
            inFlight = batch.count
            condition.unlock()
            let outcome = send(batch)
            condition.lock()
            inFlight = 0
            switch outcome {
            case .delivered(let rejected, let reason):
                state.exported += batch.count - rejected
                state.droppedRejected += rejected
                if rejected > 0 { failure = reason ?? "the backend rejected \(rejected) item(s)" }
            case .refused:
                state.droppedRejected += batch.count
            case .retryable:
                state.droppedAfterRetries += batch.count
            }
            condition.broadcast()
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Holding the lock: returns when a full batch is queued, the oldest item is due, a flush or
    /// shutdown asks for it.
    private func waitForBatch() {
        while !stopping && queue.count < options.batchSize {
            guard let oldest = queue.first else {
                condition.wait()
                continue
            }
            if flushRequested { return }
            let dueNs = oldest.enqueuedNs + options.flushInterval.nanoseconds
            let now = KernelClock.monotonicNs()
            if now >= dueNs { return }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(dueNs - now) / 1e9))
        }
    }

    /// Without the lock: one batch, retried with backoff while the outcome is retryable, attempts
    /// remain and shutdown's deadline has not passed.
    private func send(_ batch: [Item]) -> DeliveryOutcome {
        var attempt = 1
        while true {
            let outcome = deliver(batch)
            switch outcome {
            case .delivered:
                return outcome
            case .refused(let reason):
                recordFailure(reason)
                return outcome
            case .retryable(let reason):
                recordFailure(reason)
                guard attempt < options.maxAttempts, waitBeforeRetry(options.backoff(beforeRetry: attempt)) else { return outcome }
                attempt += 1
            }
        }
    }

    private func recordFailure(_ reason: String) {
        condition.lock()
        state.failedRequests += 1
        failure = reason
        condition.unlock()
    }

    /// Sleeps `delay` unless shutdown's deadline comes first; false when it did.
    private func waitBeforeRetry(_ delay: Duration) -> Bool {
        let wakeNs = KernelClock.monotonicNs() + delay.nanoseconds
        condition.lock()
        defer { condition.unlock() }
        while true {
            let now = KernelClock.monotonicNs()
            if now >= drainDeadlineNs { return false }
            if now >= wakeNs { return true }
            let untilNs = min(wakeNs, drainDeadlineNs)
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(untilNs - now) / 1e9))
        }
    }
}
