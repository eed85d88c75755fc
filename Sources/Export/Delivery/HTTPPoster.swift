import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A blocking HTTP/1.1 POST for one exporter's worker thread, on SwiftNIO (a dependency already,
/// for the metrics server), over one keep-alive connection that is reopened when it breaks.
/// Foundation's URLSession was the first choice; on Linux it leaked about 150 bytes per failed
/// request, which a collector that stays down for a day turns into tens of megabytes.
/// Plain http only: TLS would add swift-nio-ssl; send to a collector agent on the node instead.
final class HTTPPoster: @unchecked Sendable {
    struct Response {
        var status: Int
        var body: Data
    }

    struct TransportFailure: Error, CustomStringConvertible {
        let description: String
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let timeout: Duration
    /// Used by one thread at a time (the exporter's worker), so it needs no lock.
    private var connection: (channel: any Channel, collector: NIOLoopBound<ResponseCollector>)?

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Throws unless `url` is http:// with a host.
    static func check(_ url: URL, what: String) throws {
        guard url.scheme?.lowercased() == "http", url.host != nil else {
            throw ExportError.badEndpoint("\(what) '\(url.absoluteString)' is not an http:// URL with a host"
                + (url.scheme?.lowercased() == "https" ? " (https is not supported: send to a collector on the node over http)" : ""))
        }
    }

    /// Stops the event-loop thread; call once, when the exporter's worker has finished.
    func close() {
        if let channel = connection?.channel { try? channel.close().wait() }
        connection = nil
        try? group.syncShutdownGracefully()
    }

    /// The response, or a description of why there was none (connection refused, timed out, closed).
    func post(_ url: URL, body: Data, contentType: String) -> Result<Response, TransportFailure> {
        let what = "POST \(url.absoluteString)"
        guard let host = url.host else { return .failure(TransportFailure(description: "\(what): no host")) }
        let port = url.port ?? 80
        do {
            let (channel, collector) = try connect(host: host, port: port)
            let promise = channel.eventLoop.makePromise(of: Response.self)
            var target = url.path.isEmpty ? "/" : url.path
            if let query = url.query { target += "?\(query)" }
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target)
            head.headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
            head.headers.add(name: "Content-Type", value: contentType)
            head.headers.add(name: "Content-Length", value: "\(body.count)")
            let timeout = TimeAmount.nanoseconds(Int64(self.timeout.nanoseconds))
            let requestHead = head
            channel.eventLoop.execute {
                collector.value.expect(promise, timeout: timeout, on: channel)
                channel.write(HTTPClientRequestPart.head(requestHead), promise: nil)
                channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil)
                channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            }
            let response = try promise.futureResult.wait()
            return .success(response)
        } catch {
            if let channel = connection?.channel { channel.close(promise: nil) }
            connection = nil
            return .failure(TransportFailure(description: "\(what): \(Self.describe(error))"))
        }
    }

    private func connect(host: String, port: Int) throws -> (any Channel, NIOLoopBound<ResponseCollector>) {
        if let connection, connection.channel.isActive { return connection }
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount.nanoseconds(Int64(timeout.nanoseconds)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
        let channel = try bootstrap.connect(host: host, port: port).wait()
        let collector = try channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ResponseCollector.self), eventLoop: channel.eventLoop)
        }.wait()
        connection = (channel, collector)
        return (channel, collector)
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case let error as TransportFailure: error.description
        case let error as NIOConnectionError: "cannot connect: \(error.connectionErrors.map { "\($0.error)" }.joined(separator: "; "))"
        case ChannelError.connectTimeout(let amount): "connect timed out after \(amount.nanoseconds / 1_000_000) ms"
        case let error as IOError: "\(error)"
        default: "\(error)"
        }
    }
}

/// Collects one response at a time into the promise the poster waits on; fails it when the
/// connection closes, errs, or the answer does not come within the timeout.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private var pending: EventLoopPromise<HTTPPoster.Response>?
    private var deadline: Scheduled<Void>?
    private var status = 0
    private var body = Data()
    private var keepAlive = true

    func expect(_ promise: EventLoopPromise<HTTPPoster.Response>, timeout: TimeAmount, on channel: any Channel) {
        pending = promise
        status = 0
        body = Data()
        let collector = NIOLoopBound(self, eventLoop: channel.eventLoop)
        deadline = channel.eventLoop.scheduleTask(in: timeout) {
            collector.value.fail(HTTPPoster.TransportFailure(description: "timed out after \(timeout.nanoseconds / 1_000_000) ms"))
            channel.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            keepAlive = head.isKeepAlive
        case .body(var buffer):
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            deadline?.cancel()
            let response = HTTPPoster.Response(status: status, body: body)
            pending?.succeed(response)
            pending = nil
            if !keepAlive { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTPPoster.TransportFailure(description: "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: Error) {
        deadline?.cancel()
        pending?.fail(error)
        pending = nil
    }
}

extension HTTPPoster.Response {
    /// The outcome for a response that is not a success: 429 and 5xx are worth retrying, other codes are not.
    func failureOutcome(what: String) -> DeliveryOutcome {
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = "\(what): HTTP \(status)\(text.isEmpty ? "" : ": \(text)")"
        return status == 429 || (500...599).contains(status) ? .retryable(reason) : .refused(reason)
    }
}
