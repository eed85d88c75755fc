import Foundation

/// What became of one request the pump sent.
struct RequestOutcome: Decodable, Sendable {
    /// The response's status code; 0 when there was none.
    var status: Int
    var error: String?
    /// CLOCK_MONOTONIC (the clock `bpf_ktime_get_ns` reads) just before the request was written.
    var sentNanos: UInt64
}

/// Sends prepared raw HTTP requests from a pod, each on its own TCP connection, byte for byte
/// as given: a small Python program reading a JSON list of requests on stdin and printing one
/// JSON line per request. (curl cannot put a header before `Host`.)
extension Testbed {
    static let pumpScript = """
        import json, socket, sys, time
        host, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
        for raw in json.load(sys.stdin):
            status, error, sent = 0, None, 0
            try:
                with socket.create_connection((host, port), timeout=timeout) as s:
                    sent = time.monotonic_ns()
                    s.sendall(raw.encode("latin-1"))
                    data = b""
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                words = data.split(b"\\r\\n", 1)[0].split()
                status = int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
            except Exception as e:
                error = type(e).__name__ + ": " + str(e)
            print(json.dumps({"status": status, "error": error, "sentNanos": sent}), flush=True)
        """

    func pump(_ requests: [String], from client: Pod, to server: Pod, timeout: TimeInterval) throws -> [RequestOutcome] {
        let input = try JSONEncoder().encode(requests)
        let result = try run(in: client.namespace, "python3", ["-c", Testbed.pumpScript, server.ip, "\(topology.httpPort)", "\(timeout)"], input: input).check()
        let decoder = JSONDecoder()
        let outcomes = try result.stdout.split(separator: "\n").map { try decoder.decode(RequestOutcome.self, from: Data($0.utf8)) }
        guard outcomes.count == requests.count else {
            throw LabError.unexpectedOutput("the request pump answered \(outcomes.count) of \(requests.count) requests: \(result.stderr)")
        }
        return outcomes
    }
}
