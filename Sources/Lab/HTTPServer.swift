import Foundation

/// The HTTP servers the testbed runs in its serving pods (pod2, pod3): Python's
/// `http.server` (threaded, HTTP/1.1 keep-alive, request logging off) serving a small file.
extension Testbed {
    /// The directory served, with `index.html` in it.
    public var webRoot: URL { stateDirectory.appendingPathComponent("www", isDirectory: true) }

    static let serverScript = """
        import functools, http.server, sys
        class Handler(http.server.SimpleHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True
            def log_message(self, *args):
                pass
        handler = functools.partial(Handler, directory=sys.argv[3])
        http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), handler).serve_forever()
        """

    func startServers() throws {
        try FileManager.default.createDirectory(at: webRoot, withIntermediateDirectories: true)
        let page = "<!doctype html><title>meshtrace-lab</title><p>served from a meshtrace-lab pod</p>\n"
        try Data(page.utf8).write(to: webRoot.appendingPathComponent("index.html"))
        for pod in topology.pods where pod.serves {
            _ = try start(in: pod.namespace, "python3", ["-c", Testbed.serverScript, pod.ip, "\(topology.httpPort)", webRoot.path], label: "\(pod.name)-http")
        }
        for pod in topology.pods where pod.serves {
            try waitUntilServing(pod, timeout: 10)
        }
    }

    /// Polls the pod's own server from inside the pod until it answers 200.
    func waitUntilServing(_ pod: Pod, timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let answer = try? probe(from: pod, to: pod, timeout: 1), answer.status == 200 { return }
            guard Date() < deadline else { throw LabError.timeout("the HTTP server in \(pod.name) (\(topology.url(of: pod)))") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// One plain GET (no trace context) from `client` to `server`'s HTTP server.
    func probe(from client: Pod, to server: Pod, timeout: TimeInterval) throws -> RequestOutcome {
        let request = "GET \(HTTPRequest.path) HTTP/1.1\r\nHost: \(server.ip):\(topology.httpPort)\r\nUser-Agent: meshtrace-lab-probe\r\nConnection: close\r\n\r\n"
        let outcomes = try pump([request], from: client, to: server, timeout: timeout)
        guard let outcome = outcomes.first else { throw LabError.unexpectedOutput("the probe from \(client.name) printed nothing") }
        return outcome
    }
}
