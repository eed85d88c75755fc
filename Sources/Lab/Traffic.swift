import Foundation
import Spec

/// One request the traffic helper sent, and the context it carried.
public struct SentRequest: Sendable, Hashable {
    public var context: RequestContext
    /// The response's status code; 0 when there was none (see `error`).
    public var status: Int
    public var error: String?
    /// Byte offset in the TCP payload at which the `traceparent` line begins.
    public var contextOffset: Int
    /// The request's size in bytes.
    public var length: Int
    /// CLOCK_MONOTONIC, in nanoseconds, just before the request was written to the socket
    /// (the clock `bpf_ktime_get_ns` reads); 0 when it never connected.
    public var sentNanos: UInt64

    public var succeeded: Bool { status == 200 }
}

/// What the traffic helper sent.
public struct TrafficReport: Sendable {
    public var from: Pod
    public var to: Pod
    public var placement: Placement
    public var requests: [SentRequest]

    public var contexts: [RequestContext] { requests.map(\.context) }
    public var traceIDs: [String] { requests.map(\.context.traceId) }
    public var failures: [SentRequest] { requests.filter { !$0.succeeded } }
}

extension Testbed {
    /// Sends `count` HTTP/1.1 GETs, one connection each, from `client` (pod1 by default) to
    /// `server`'s HTTP server (pod2 by default), each carrying a fresh random `traceparent`
    /// placed as `placement` says (with `anywhere`, its line begins `padding` bytes into the payload;
    /// `extra` and `trailer`: header lines before the padding and after the context, see `HTTPRequest`).
    public func sendRequests(
        count: Int,
        placement: Placement,
        from client: Pod? = nil,
        to server: Pod? = nil,
        padding: Int = HTTPRequest.defaultPadding,
        extra: String = "",
        trailer: String = "",
        timeout: TimeInterval = 5
    ) throws -> TrafficReport {
        let client = client ?? topology.client, server = server ?? topology.server
        guard (1...100_000).contains(count) else { throw LabError.invalidArgument("request count must be 1...100000, not \(count)") }
        guard server.serves else { throw LabError.invalidArgument("\(server.name) runs no HTTP server") }
        guard topology.pods.contains(client), topology.pods.contains(server) else {
            throw LabError.invalidArgument("pods must belong to testbed \(topology.prefix)")
        }
        let shape = HTTPRequest(placement: placement, host: "\(server.ip):\(topology.httpPort)", padding: padding, extra: extra, trailer: trailer)
        let contexts = (0..<count).map { _ in RequestContext.random() }
        let raw = contexts.map(shape.bytes(carrying:))
        let outcomes = try pump(raw, from: client, to: server, timeout: timeout)
        let requests = zip(zip(contexts, raw), outcomes).map { pair, outcome in
            SentRequest(
                context: pair.0, status: outcome.status, error: outcome.error,
                contextOffset: shape.contextOffset, length: pair.1.utf8.count, sentNanos: outcome.sentNanos
            )
        }
        return TrafficReport(from: client, to: server, placement: placement, requests: requests)
    }
}
