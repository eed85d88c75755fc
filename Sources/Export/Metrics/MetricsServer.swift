import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `GET /metrics` (Prometheus text format) on one event-loop thread of its own, so a slow
/// scraper never touches the ring-buffer reader. Anything else is 404 (or 405 for other methods).
public final class MetricsServer: Sendable {
    /// Where it listens; the real port when it was asked for port 0.
    public let address: ListenAddress
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    public init(address: ListenAddress, metrics: MeshtraceMetrics) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(metrics: metrics))
                }
            }
        do {
            channel = try bootstrap.bind(host: address.host, port: address.port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw ExportError.badAddress("cannot listen on \(address): \(error)")
        }
        self.group = group
        self.address = ListenAddress(host: address.host, port: channel.localAddress?.port ?? address.port)
    }

    /// Closes the listener and stops the thread.
    public func stop() throws {
        try channel.close().wait()
        try group.syncShutdownGracefully()
    }
}

private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: MeshtraceMetrics
    private var request: HTTPRequestHead?

    init(metrics: MeshtraceMetrics) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let (status, contentType, body): (HTTPResponseStatus, String, [UInt8]) =
            switch (head.method, path) {
            case (.GET, "/metrics"): (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics.render())
            case (_, "/metrics"): (.methodNotAllowed, "text/plain", Array("only GET /metrics\n".utf8))
            default: (.notFound, "text/plain", Array("meshtrace serves /metrics only\n".utf8))
            }
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)")])
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !head.isKeepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
