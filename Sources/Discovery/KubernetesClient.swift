import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An error status from the API server, e.g. 410 Gone for an expired resourceVersion.
public struct APIError: Error, CustomStringConvertible {
    public var statusCode: Int
    public var path: String
    public var message: String
    public var description: String { "GET \(path): HTTP \(statusCode) \(message)" }
}

/// GETs and watches on the API server with URLSession.
///
/// TLS: URLSession on Linux (libcurl underneath) offers no way to trust one extra CA per session:
/// it has no server-trust challenge, and libcurl's CA file can only be set through an environment
/// variable that swift-corelibs-foundation reads on Android alone. So the cluster CA must be in the
/// system trust bundle libcurl reads; the DaemonSet's init container appends the service account's
/// ca.crt to it. `init` checks that it is there and says so instead of failing on the first request.
public final class KubernetesClient: @unchecked Sendable {
    public static let systemTrustBundle = "/etc/ssl/certs/ca-certificates.crt"

    public let credentials: KubernetesCredentials
    private let session: URLSession

    public init(credentials: KubernetesCredentials, trustBundle: String = KubernetesClient.systemTrustBundle) throws {
        self.credentials = credentials
        if credentials.server.scheme == "https", let ca = credentials.certificateAuthorityFile {
            try TrustBundle.check(certificate: ca, isIn: trustBundle)
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        session = URLSession(configuration: configuration)
    }

    func request(_ pathAndQuery: String, timeout: TimeInterval) throws -> URLRequest {
        guard let url = URL(string: pathAndQuery, relativeTo: credentials.server) else {
            throw DiscoveryError.kubernetes("'\(pathAndQuery)' is not a path on \(credentials.server)")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("meshtrace-discovery", forHTTPHeaderField: "User-Agent")
        if let token = try credentials.bearerToken() { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
    }

    /// A GET's body; an `APIError` for any status but 200.
    public func get(_ pathAndQuery: String) throws -> Data {
        let request = try request(pathAndQuery, timeout: 30)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<(Data, Int), Error> = .failure(DiscoveryError.kubernetes("no response"))
        session.dataTask(with: request) { data, response, error in
            if let error {
                outcome = .failure(DiscoveryError.kubernetes("GET \(pathAndQuery) on \(self.credentials.server): \(error.localizedDescription)"))
            } else {
                outcome = .success((data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
            }
            done.signal()
        }.resume()
        done.wait()
        let (data, status) = try outcome.get()
        guard status == 200 else { throw KubernetesClient.apiError(status: status, path: pathAndQuery, body: data) }
        return data
    }

    /// Streams a watch: `onLine` gets each newline-delimited event as it arrives, until the server
    /// closes the stream (its timeoutSeconds), the connection fails (thrown), or `cancel` is called
    /// on the returned handle from another thread. Blocks until then.
    public func watch(_ pathAndQuery: String, idleTimeout: TimeInterval, started: (WatchHandle) -> Void = { _ in }, onLine: @escaping (Data) throws -> Void) throws {
        let stream = WatchStream(onLine: onLine)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let streaming = URLSession(configuration: .ephemeral, delegate: stream, delegateQueue: queue)
        defer { streaming.finishTasksAndInvalidate() }
        let task = streaming.dataTask(with: try request(pathAndQuery, timeout: idleTimeout))
        started(WatchHandle(task: task))
        task.resume()
        stream.done.wait()
        if let failure = stream.failure { throw failure }
        if stream.status != 200 { throw KubernetesClient.apiError(status: stream.status, path: pathAndQuery, body: stream.buffer) }
    }

    static func apiError(status: Int, path: String, body: Data) -> APIError {
        let message = (try? JSONDecoder().decode(APIStatus.self, from: body)).map { "\($0.reason ?? ""): \($0.message ?? "")" }
            ?? String(decoding: body.prefix(200), as: UTF8.self)
        return APIError(statusCode: status, path: path, message: message)
    }
}

/// Lets another thread end a watch (the agent stopping).
public struct WatchHandle: @unchecked Sendable {
    let task: URLSessionDataTask
    public func cancel() { task.cancel() }
}

/// Splits a chunked watch response into lines as the chunks arrive.
private final class WatchStream: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let onLine: (Data) throws -> Void
    let done = DispatchSemaphore(value: 0)
    var buffer = Data()
    var status = 0
    var failure: Error?

    init(onLine: @escaping (Data) throws -> Void) { self.onLine = onLine }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse, completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        buffer.append(data)
        guard status == 200, failure == nil else { return }
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer[buffer.startIndex..<newline]
            buffer.removeSubrange(buffer.startIndex...newline)
            guard !line.isEmpty else { continue }
            do {
                try onLine(Data(line))
            } catch {
                failure = error
                dataTask.cancel()
                return
            }
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error, failure == nil {
            let cancelled = (error as? URLError)?.code == .cancelled
            failure = cancelled ? WatchCancelled() : DiscoveryError.kubernetes("watch \(task.originalRequest?.url?.path ?? ""): \(error.localizedDescription)")
        }
        done.signal()
    }
}

/// The watch was ended by `WatchHandle.cancel` (or by `onLine` throwing, which is reported instead).
struct WatchCancelled: Error {}
