#if canImport(FoundationNetworking)
import Foundation
import FoundationNetworking
import TestSupport
#endif

/// Blocking HTTP for the tests' queries (Prometheus's and InfluxDB's APIs, /metrics).
enum HTTPClient {
    struct Response {
        var status: Int
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.connectionProxyDictionary = [:]
        configuration.timeoutIntervalForRequest = 5
        return URLSession(configuration: configuration)
    }()

    static func get(_ url: String) throws -> Response { try send(URLRequest(url: URL(string: url)!)) }

    static func post(_ url: String, body: String, contentType: String = "application/x-www-form-urlencoded") throws -> Response {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        return try send(request)
    }

    private static func send(_ request: URLRequest) throws -> Response {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Response, Error>?
        session.dataTask(with: request) { data, response, error in
            if let error {
                result = .failure(error)
            } else {
                result = .success(Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        return try result!.get()
    }

    /// `text` percent-encoded for a query string.
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}
