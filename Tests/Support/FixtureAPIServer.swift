import Foundation

/// A minimal HTTP/1.1 server on 127.0.0.1 that plays recorded API-server responses: plain
/// bodies for lists, chunked streams for watches (one chunk per step, with pauses, optionally
/// held open like a quiet watch). One request per connection. Shared by DiscoveryTests and
/// AgentTests; the listening socket belongs to the network namespace of the thread that makes it.
public final class FixtureAPIServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var target: String
        public var headers: [String: String]
        public var time: Date
        public var path: String { String(target.prefix { $0 != "?" }) }
        public var isWatch: Bool { query["watch"] == "1" }
        public var query: [String: String] {
            guard let q = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
            return Dictionary(q.split(separator: "&").map { pair in
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                return (kv[0], kv.count > 1 ? kv[1] : "")
            }, uniquingKeysWith: { a, _ in a })
        }
    }

    public enum Step: Sendable {
        case chunk(Data)
        case pause(TimeInterval)
        /// Keep the stream open until the client goes or the server stops.
        case holdOpen
    }

    public enum Reply: Sendable {
        case body(status: Int, Data)
        case stream([Step])
    }

    private let listener: Int32
    public let port: UInt16
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var stopped = false
    private let route: @Sendable (Request, _ nthForKind: Int) -> Reply

    /// `route` gets each request and how many earlier requests had the same path and kind (list or watch).
    public init(route: @escaping @Sendable (Request, Int) -> Reply) throws {
        self.route = route
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    public var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    public var requests: [Request] { lock.withLock { recorded } }
    private var isStopped: Bool { lock.withLock { stopped } }

    public func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !isStopped {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.range(of: Data("\r\n\r\n".utf8)) == nil {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            received.append(contentsOf: buffer[0..<count])
        }
        let lines = String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n")
        let target = lines[0].split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where line.contains(":") {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        let request = Request(target: target, headers: headers, time: Date())
        let nth = lock.withLock { () -> Int in
            let n = recorded.filter { $0.path == request.path && $0.isWatch == request.isWatch }.count
            recorded.append(request)
            return n
        }
        switch route(request, nth) {
        case .body(let status, let data):
            send(connection, "HTTP/1.1 \(status) Fixture\r\nContent-Type: application/json\r\nContent-Length: \(data.count)\r\nConnection: close\r\n\r\n")
            send(connection, data)
        case .stream(let steps):
            send(connection, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            for step in steps {
                switch step {
                case .chunk(let data):
                    guard send(connection, String(data.count, radix: 16) + "\r\n"), send(connection, data), send(connection, "\r\n") else { return }
                case .pause(let seconds):
                    Thread.sleep(forTimeInterval: seconds)
                case .holdOpen:
                    while !isStopped, isOpen(connection) { Thread.sleep(forTimeInterval: 0.05) }
                    return
                }
            }
            send(connection, "0\r\n\r\n")
        }
    }

    @discardableResult
    private func send(_ connection: Int32, _ text: String) -> Bool { send(connection, Data(text.utf8)) }

    @discardableResult
    private func send(_ connection: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(connection, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// False once the client has closed its end.
    private func isOpen(_ connection: Int32) -> Bool {
        var poller = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return true }
        var byte: UInt8 = 0
        return recv(connection, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }
}
