import Foundation
import Spec

/// End-to-end latency at a fixed request rate, open loop: request i is due at start + i/rate
/// whether or not the ones before it were answered, and its latency counts from when it was
/// due (so a stall shows as latency, not as fewer requests). One connection per request.
public struct OpenLoopReport: Sendable, Codable {
    /// Seconds from each request's due time to its whole response, answered requests only.
    public var latencies: [Double]
    public var errors: Int

    public var median: Double { Self.quantile(latencies, 0.5) }
    public var p99: Double { Self.quantile(latencies, 0.99) }

    static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
    }
}

extension Testbed {
    static let openLoopScript = """
        import asyncio, json, random, sys, time
        host, port, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
        head, tail = json.load(sys.stdin)
        latencies, errors = [], 0
        async def one(due):
            global errors
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            context = "00-%032x-%016x-01" % (random.getrandbits(128), random.getrandbits(64))
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
                writer.write((head + context + tail).encode("latin-1"))
                data = await asyncio.wait_for(reader.read(), 2)
                writer.close()
                if data.split(b"\\r\\n", 1)[0].split()[1:2] == [b"200"]:
                    latencies.append(time.monotonic() - due)
                else:
                    errors += 1
            except Exception:
                errors += 1
        async def main():
            start = time.monotonic() + 0.05
            await asyncio.gather(*(one(start + i / rate) for i in range(int(rate * seconds))))
        asyncio.run(main())
        print(json.dumps({"latencies": latencies, "errors": errors}))
        """

    /// `rate` requests a second for `seconds` from pod1 to pod2's server, each with a fresh
    /// `traceparent` placed as `placement` says and `Connection: close`.
    public func openLoop(rate: Double, seconds: Double, placement: Placement) throws -> OpenLoopReport {
        guard rate > 0, rate <= 10_000, seconds > 0, seconds <= 600 else {
            throw LabError.invalidArgument("open-loop load needs a rate of 0...10000 a second and 0...600 seconds")
        }
        let client = topology.client, server = topology.server
        let shape = HTTPRequest(placement: placement, host: "\(server.ip):\(topology.httpPort)")
        let input = try JSONEncoder().encode([shape.head, shape.tail])
        let result = try run(in: client.namespace, "python3", ["-c", Testbed.openLoopScript, server.ip, "\(topology.httpPort)", "\(rate)", "\(seconds)"],
                             input: input).check()
        do {
            return try JSONDecoder().decode(OpenLoopReport.self, from: Data(result.stdout.utf8))
        } catch {
            throw LabError.unexpectedOutput("the open-loop client printed no report: \(result.stdout)\(result.stderr)")
        }
    }
}
