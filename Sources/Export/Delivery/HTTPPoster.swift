import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A blocking HTTP POST for the exporters' worker threads, on Foundation's URLSession (libcurl on
/// Linux): no dependency beyond the toolchain, keep-alive connections, a per-request timeout.
final class HTTPPoster: @unchecked Sendable {
    struct Response {
        var status: Int
        var body: Data
    }

    private let session: URLSession
    private let timeout: Duration

    init(timeout: Duration) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout.timeInterval
        configuration.timeoutIntervalForResource = timeout.timeInterval
        configuration.httpMaximumConnectionsPerHost = 1
        // Proxies from the environment would route a loopback collector through them.
        configuration.connectionProxyDictionary = [:]
        session = URLSession(configuration: configuration)
        self.timeout = timeout
    }

    deinit { session.invalidateAndCancel() }

    /// The response, or a description of why there was none (connection refused, timeout).
    func post(_ url: URL, body: Data, contentType: String) -> Result<Response, TransportFailure> {
        var request = URLRequest(url: url, timeoutInterval: timeout.timeInterval)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        session.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(TransportFailure(description: "POST \(url.absoluteString): \(self.describe(error))"))
            } else if let http = response as? HTTPURLResponse {
                box.result = .success(Response(status: http.statusCode, body: data ?? Data()))
            } else {
                box.result = .failure(TransportFailure(description: "POST \(url.absoluteString): no HTTP response"))
            }
            done.signal()
        }.resume()
        done.wait()
        return box.result!
    }

    /// Foundation on Linux describes every URLError as "The operation could not be completed": name the usual ones.
    private func describe(_ error: Error) -> String {
        guard let code = (error as? URLError)?.code else { return "\(error)" }
        return switch code {
        case .timedOut: "timed out after \(timeout)"
        case .cannotConnectToHost: "connection refused"
        case .networkConnectionLost: "connection lost"
        case .cannotFindHost: "host not found"
        default: "URL error \(code.rawValue)"
        }
    }

    struct TransportFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Carries the completion handler's result to the waiting thread; the semaphore orders the accesses.
    private final class ResultBox: @unchecked Sendable {
        var result: Result<Response, TransportFailure>?
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
