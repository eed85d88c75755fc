import Discovery
import TestSupport
import Foundation
import XCTest

/// The Kubernetes client against recorded API-server responses (Fixtures/kubernetes, see
/// SOURCES.md) served over HTTP on loopback; no API server runs here.
final class KubernetesNamesTests: XCTestCase {
    private var server: FixtureAPIServer?

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private func lines(_ fixture: String) throws -> [Data] {
        try Fixtures.text("kubernetes/\(fixture)").split(separator: "\n").map { Data(($0 + "\n").utf8) }
    }

    private func client(_ server: FixtureAPIServer) throws -> KubernetesClient {
        try KubernetesClient(credentials: KubernetesCredentials(server: server.url, token: "fixture-token"))
    }

    /// Activities, in order, and the names known when each happened.
    private final class Log: @unchecked Sendable {
        let lock = NSLock()
        var entries: [(kind: String, activity: WatchActivity, pod: ObjectName?)] = []
        func of(_ kind: String) -> [WatchActivity] { lock.withLock { entries.filter { $0.kind == kind }.map(\.activity) } }
        func waitFor(_ kind: String, timeout: TimeInterval = 10, _ done: ([WatchActivity]) -> Bool) -> Bool {
            KubernetesNamesTests.eventually(timeout: timeout) { done(of(kind)) }
        }
    }

    /// Polls `condition` until it holds or `timeout` passes: the client's requests follow its
    /// activities asynchronously (the watch after a relist is sent after `.listed` is logged).
    fileprivate static func eventually(timeout: TimeInterval = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    func testPodsOnThisNodeAreListedWatchedAndNamedTheirServiceToo() throws {
        let watch1 = try lines("pods-watch-1.jsonl"), watch2 = try lines("pods-watch-2.jsonl")
        let lists = [try Fixtures.data("kubernetes/pods-list.json"), try Fixtures.data("kubernetes/pods-relist.json")]
        let slices = try Fixtures.data("kubernetes/endpointslices-list.json")
        let server = try FixtureAPIServer { request, nth in
            switch (request.path, request.isWatch) {
            case ("/api/v1/pods", false): return .body(status: 200, lists[min(nth, 1)])
            case ("/api/v1/pods", true) where nth == 0:
                // One event split across two chunks, as a proxy may deliver it; then the server's timeout closes the stream.
                let first = watch1[0]
                return .stream([.chunk(first.prefix(100)), .pause(0.05), .chunk(first.dropFirst(100))] + watch1.dropFirst().map { .chunk($0) })
            case ("/api/v1/pods", true) where nth == 1: return .stream(watch2.map { .chunk($0) })
            case ("/apis/discovery.k8s.io/v1/endpointslices", false): return .body(status: 200, slices)
            default: return .stream([.holdOpen])
            }
        }
        self.server = server
        let log = Log()
        nonisolated(unsafe) var names: ClusterNames?
        names = ClusterNames(client: try client(server), nodeName: "mtdisc-node1") { kind, activity in
            let pod = names?.pod(forIP: "198.19.1.2")
            log.lock.withLock { log.entries.append((kind, activity, pod)) }
        }
        names!.start()
        defer { names!.stop() }
        XCTAssertTrue(log.waitFor("pods") { $0.filter { if case .listed = $0 { true } else { false } }.count == 2 }, "\(log.of("pods"))")
        XCTAssertTrue(log.waitFor("endpointslices") { $0.count == 1 })

        let pod = "default/nginx-app-o0kvl"
        XCTAssertEqual(log.of("pods"), [
            .listed(count: 0, resourceVersion: "228081"),
            .added(pod), .modified(pod), .modified(pod),
            .bookmark("228100"), .closed(resumeFrom: "228100"),
            .deleted(pod), .expired,
            .listed(count: 1, resourceVersion: "228211"),
        ])
        let nginx = ObjectName(namespace: "default", name: "nginx-app-o0kvl")
        // The pod got its IP in the last MODIFIED; DELETED took it away; the relist brought it back.
        let seen = log.lock.withLock { log.entries.filter { $0.kind == "pods" }.map(\.pod) }
        XCTAssertEqual(seen, [nil, nil, nil, nginx, nginx, nginx, nil, nil, nginx])
        XCTAssertEqual(names!.pod(forIP: "198.19.1.2"), nginx)
        XCTAssertEqual(names!.services(forIP: "198.19.1.2"), [ObjectName(namespace: "default", name: "example")])
        XCTAssertNil(names!.pod(forIP: "198.18.0.1"), "the node's own address is no pod's")

        let podRequests = server.requests.filter { $0.path == "/api/v1/pods" }
        XCTAssertTrue(podRequests.allSatisfy { $0.query["fieldSelector"] == "spec.nodeName%3Dmtdisc-node1" })
        XCTAssertTrue(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer fixture-token" })
        // Watch from the list, resume from the bookmark, watch from the relist.
        XCTAssertTrue(Self.eventually { server.requests.filter { $0.path == "/api/v1/pods" && $0.isWatch }.count >= 3 })
        XCTAssertEqual(server.requests.filter { $0.path == "/api/v1/pods" }.filter(\.isWatch).prefix(3).map { $0.query["resourceVersion"] }, ["228081", "228100", "228211"])
        XCTAssertTrue(podRequests.filter(\.isWatch).allSatisfy { $0.query["allowWatchBookmarks"] == "true" })
        XCTAssertEqual(server.requests.first { $0.path.hasSuffix("endpointslices") }?.query["labelSelector"], "kubernetes.io%2Fservice-name")
    }

    func testServerErrorsAndAGoneWatchAreRetriedWithBackoffAndARelist() throws {
        let list = try Fixtures.data("kubernetes/pods-relist.json")
        let gone = Data(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version","reason":"Expired","code":410}"#.utf8)
        let unavailable = Data(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"etcdserver: leader changed","reason":"ServiceUnavailable","code":503}"#.utf8)
        let server = try FixtureAPIServer { request, nth in
            switch (request.path, request.isWatch, nth) {
            case ("/api/v1/pods", false, 0), ("/api/v1/pods", false, 1): return .body(status: 503, unavailable)
            case ("/api/v1/pods", false, _): return .body(status: 200, list)
            case ("/api/v1/pods", true, 0): return .body(status: 410, gone)
            default: return .stream([.holdOpen])
            }
        }
        self.server = server
        let log = Log()
        var backoff = WatchBackoff()
        backoff.initial = 0.2
        let pods = ListWatch<Pod>(client: try client(server), path: "/api/v1/pods", backoff: backoff) { activity in
            log.lock.withLock { log.entries.append(("pods", activity, nil)) }
        }
        pods.start()
        defer { pods.stop() }
        XCTAssertTrue(log.waitFor("pods") { $0.count >= 5 }, "\(log.of("pods"))")
        let activities = log.of("pods")
        guard case .failed(let first, retryIn: 0.2) = activities[0], case .failed(_, retryIn: 0.4) = activities[1] else {
            return XCTFail("expected two failures 0.2 s then 0.4 s apart: \(activities)")
        }
        XCTAssertTrue(first.contains("503"), first)
        XCTAssertEqual(Array(activities[2...4]), [.listed(count: 1, resourceVersion: "228211"), .expired, .listed(count: 1, resourceVersion: "228211")])
        let lists = server.requests.filter { !$0.isWatch }.map(\.time)
        XCTAssertGreaterThanOrEqual(lists[1].timeIntervalSince(lists[0]), 0.2)
        XCTAssertGreaterThanOrEqual(lists[2].timeIntervalSince(lists[1]), 0.4)
    }

    func testAWatchThatEndsAtOnceIsRetriedWithBackoffNotAtOnce() throws {
        let list = try Fixtures.data("kubernetes/pods-relist.json")
        let server = try FixtureAPIServer { request, _ in request.isWatch ? .stream([]) : .body(status: 200, list) }
        self.server = server
        let log = Log()
        var backoff = WatchBackoff()
        backoff.initial = 0.1
        let pods = ListWatch<Pod>(client: try client(server), path: "/api/v1/pods", backoff: backoff) { activity in
            log.lock.withLock { log.entries.append(("pods", activity, nil)) }
        }
        pods.start()
        Thread.sleep(forTimeInterval: 1.2)
        pods.stop()
        let watches = server.requests.filter(\.isWatch)
        // 0.1 + 0.2 + 0.4 + 0.8: at most five watches in 1.2 s, not hundreds.
        XCTAssertTrue((3...5).contains(watches.count), "\(watches.count) watches")
        XCTAssertEqual(server.requests.filter { !$0.isWatch }.count, 1, "an empty stream is no reason to relist")
        XCTAssertTrue(watches.allSatisfy { $0.query["resourceVersion"] == "228211" })
    }

    func testAnUnreachableServerIsRetriedWithGrowingDelaysNotPolled() throws {
        // A port nothing listens on: every request fails at once.
        let closed = try FixtureAPIServer { _, _ in .body(status: 500, Data()) }
        let url = closed.url
        closed.stop()
        let log = Log()
        var backoff = WatchBackoff()
        backoff.initial = 0.1
        let pods = ListWatch<Pod>(client: try KubernetesClient(credentials: KubernetesCredentials(server: url)), path: "/api/v1/pods", backoff: backoff) { activity in
            log.lock.withLock { log.entries.append(("pods", activity, nil)) }
        }
        pods.start()
        Thread.sleep(forTimeInterval: 1.2)
        pods.stop()
        let delays = log.of("pods").compactMap { if case .failed(_, let delay) = $0 { delay } else { nil } }
        // 0.1 + 0.2 + 0.4 + 0.8 > 1.2 s: at most four attempts, each delay double the last.
        XCTAssertTrue((3...4).contains(delays.count), "\(delays)")
        XCTAssertEqual(delays, Array([0.1, 0.2, 0.4, 0.8].prefix(delays.count)))
    }
}
