import Foundation

/// Keeps a current copy of one collection: lists it, then watches from the list's
/// resourceVersion, applying each event; resumes from the last event or bookmark when the
/// server closes the stream, relists on 410 Gone (a resourceVersion too old to resume from), and
/// backs off exponentially after failures, so that an unreachable server is never polled in a
/// tight loop.
public final class ListWatch<Object: KubernetesObject>: @unchecked Sendable {
    let client: KubernetesClient
    let path: String
    let query: [String]
    let backoff: WatchBackoff
    /// How long the server keeps a watch open before closing it (it adds jitter of its own).
    let watchSeconds: Int
    private let onActivity: @Sendable (WatchActivity) -> Void
    private let lock = NSLock()
    private var store: [String: Object] = [:]
    private var stopped = false
    private var handle: WatchHandle?

    /// - Parameters:
    ///   - path: the collection, e.g. `/api/v1/pods`.
    ///   - query: selectors, already percent-encoded, e.g. `fieldSelector=spec.nodeName%3Dnode1`.
    public init(client: KubernetesClient, path: String, query: [String] = [], backoff: WatchBackoff = WatchBackoff(), watchSeconds: Int = 300, onActivity: @escaping @Sendable (WatchActivity) -> Void = { _ in }) {
        self.client = client
        self.path = path
        self.query = query
        self.backoff = backoff
        self.watchSeconds = watchSeconds
        self.onActivity = onActivity
    }

    /// The objects as of the last event, by `namespace/name`.
    public var objects: [String: Object] { lock.withLock { store } }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "meshtrace-watch \(path)"
        thread.start()
    }

    public func stop() {
        let current = lock.withLock { () -> WatchHandle? in
            stopped = true
            return handle
        }
        current?.cancel()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func run() {
        var resourceVersion: String?
        var failures = 0
        while !isStopped {
            do {
                if resourceVersion == nil { resourceVersion = try list() }
                resourceVersion = try watch(from: resourceVersion!)
                failures = 0
            } catch let error as APIError where error.statusCode == 410 {
                onActivity(.expired)
                resourceVersion = nil
            } catch is Expired {
                onActivity(.expired)
                resourceVersion = nil
            } catch is WatchCancelled {
                return
            } catch {
                failures += 1
                let delay = backoff.delay(afterFailures: failures)
                onActivity(.failed("\(error)", retryIn: delay))
                Thread.sleep(forTimeInterval: delay)
            }
        }
    }

    private func list() throws -> String {
        let data = try client.get(path + queryString([]))
        let list: ObjectList<Object>
        do {
            list = try JSONDecoder().decode(ObjectList<Object>.self, from: data)
        } catch {
            throw DiscoveryError.malformedOutput(source: "GET \(path)", reason: "\(error)")
        }
        guard let version = list.metadata.resourceVersion else {
            throw DiscoveryError.malformedOutput(source: "GET \(path)", reason: "the list has no resourceVersion to watch from")
        }
        lock.withLock { store = Dictionary(list.items.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last }) }
        onActivity(.listed(count: list.items.count, resourceVersion: version))
        return version
    }

    /// Watches until the server closes the stream; returns the resourceVersion to resume from.
    private func watch(from start: String) throws -> String {
        var version = start
        var lines = 0
        let began = Date()
        let watchQuery = ["watch=1", "resourceVersion=\(start)", "allowWatchBookmarks=true", "timeoutSeconds=\(watchSeconds)"]
        try client.watch(path + queryString(watchQuery), idleTimeout: TimeInterval(watchSeconds + 30), started: { handle in
            lock.withLock { self.handle = handle }
        }) { [self] line in
            lines += 1
            let event: WatchEvent<Object>
            do {
                event = try WatchEvent<Object>.decode(line)
            } catch {
                throw DiscoveryError.malformedOutput(source: "watch \(path)", reason: "\(error)")
            }
            switch event {
            case .added(let object), .modified(let object):
                let isNew = lock.withLock { store.updateValue(object, forKey: object.key) == nil }
                version = object.metadata.resourceVersion ?? version
                onActivity(isNew ? .added(object.key) : .modified(object.key))
            case .deleted(let object):
                _ = lock.withLock { store.removeValue(forKey: object.key) }
                version = object.metadata.resourceVersion ?? version
                onActivity(.deleted(object.key))
            case .bookmark(let resourceVersion):
                version = resourceVersion
                onActivity(.bookmark(resourceVersion))
            case .error(let status) where status.code == 410:
                throw Expired()
            case .error(let status):
                throw DiscoveryError.kubernetes("watch \(path): \(status)")
            }
        }
        if isStopped { throw WatchCancelled() }
        // A server (or a proxy in front of it) that ends every watch at once must not be asked
        // again at once: that would be the tight loop watching exists to avoid.
        if lines == 0, Date().timeIntervalSince(began) < 1 {
            throw DiscoveryError.kubernetes("watch \(path) closed at once without an event")
        }
        onActivity(.closed(resumeFrom: version))
        return version
    }

    private func queryString(_ extra: [String]) -> String {
        let all = query + extra
        return all.isEmpty ? "" : "?" + all.joined(separator: "&")
    }

    private struct Expired: Error {}
}

/// What the watcher did, for logs and for tests.
public enum WatchActivity: Sendable, Equatable {
    case listed(count: Int, resourceVersion: String)
    case added(String), modified(String), deleted(String)
    case bookmark(String)
    /// 410 Gone: the next step is a relist.
    case expired
    /// The server closed the stream; the next watch resumes from this resourceVersion.
    case closed(resumeFrom: String)
    /// A failed request; the next attempt comes after `retryIn` seconds.
    case failed(String, retryIn: TimeInterval)
}

public struct WatchBackoff: Sendable {
    public var initial: TimeInterval = 0.5
    public var maximum: TimeInterval = 30
    public init() {}
    func delay(afterFailures count: Int) -> TimeInterval { min(maximum, initial * pow(2, Double(max(0, count - 1)))) }
}
