import Foundation
import Spec

/// A bounded wrk run from pod1 against pod2's HTTP server.
public struct LoadOptions: Sendable, Hashable {
    public static let durationRange = 1...300

    /// Seconds, 1...300.
    public var duration: Int
    public var connections: Int
    public var threads: Int
    /// Where each request's fresh random `traceparent` goes.
    public var placement: Placement
    public var padding: Int

    public init(duration: Int = 5, connections: Int = 8, threads: Int = 2, placement: Placement = .fixed, padding: Int = HTTPRequest.defaultPadding) {
        self.duration = duration
        self.connections = connections
        self.threads = threads
        self.placement = placement
        self.padding = padding
    }
}

/// What wrk reported.
public struct LoadReport: Sendable {
    public var requests: Int
    public var seconds: Double
    public var requestsPerSecond: Double
    /// wrk's `Socket errors:` line, when it printed one.
    public var socketErrors: String?
    public var non2xx: Int
    /// wrk's whole output.
    public var output: String
}

extension Testbed {
    /// Runs wrk in pod1 against pod2's server for `options.duration` seconds over keep-alive
    /// connections; every request carries a fresh random `traceparent`, with the same header
    /// order as `sendRequests` uses (a wrk Lua script builds the raw request).
    public func load(_ options: LoadOptions = LoadOptions()) throws -> LoadReport {
        guard LoadOptions.durationRange.contains(options.duration) else {
            throw LabError.invalidArgument("load duration must be \(LoadOptions.durationRange.lowerBound)...\(LoadOptions.durationRange.upperBound) seconds, not \(options.duration)")
        }
        guard (1...64).contains(options.threads), (options.threads...4096).contains(options.connections) else {
            throw LabError.invalidArgument("load needs 1...64 threads and threads...4096 connections")
        }
        let client = topology.client, server = topology.server
        let shape = HTTPRequest(placement: options.placement, host: "\(server.ip):\(topology.httpPort)", padding: options.padding, keepAlive: true)
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let script = stateDirectory.appendingPathComponent("load-\(UInt32.random(in: 0...UInt32.max)).lua")
        try Data(Testbed.wrkScript(shape: shape, seed: Int.random(in: 1...1_000_000_000)).utf8).write(to: script)
        defer { try? FileManager.default.removeItem(at: script) }
        let result = try run(in: client.namespace, "wrk", [
            "-t", "\(options.threads)", "-c", "\(options.connections)", "-d", "\(options.duration)s",
            "--timeout", "2s", "-s", script.path, topology.url(of: server, path: HTTPRequest.path),
        ]).check()
        return try LoadReport(wrkOutput: result.stdout)
    }

    static func wrkScript(shape: HTTPRequest, seed: Int) -> String {
        """
        local head = \(luaQuoted(shape.head))
        local tail = \(luaQuoted(shape.tail))
        local seed = \(seed)
        local threads = 0
        function setup(thread)
          threads = threads + 1
          thread:set("lab_thread", threads)
        end
        function init(args)
          math.randomseed(seed + 7919 * (lab_thread or 0))
        end
        local function hex(groups)
          local t = {}
          for i = 1, groups do t[i] = string.format("%04x", math.random(0, 65535)) end
          return table.concat(t)
        end
        function request()
          return head .. "00-" .. hex(8) .. "-" .. hex(4) .. "-01" .. tail
        end

        """
    }

    /// A Lua double-quoted string literal; CR and LF escaped (a long bracket string would turn CRLF into LF).
    static func luaQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7e { out += "\\\(scalar.value)" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

extension LoadReport {
    /// Reads `N requests in 5.00s, ...`, `Requests/sec: ...`, `Socket errors: ...` and `Non-2xx or 3xx responses: N`.
    init(wrkOutput output: String) throws {
        var requests: Int?, seconds: Double?, perSecond: Double?, socketErrors: String?, non2xx = 0
        for rawLine in output.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let words = line.split(separator: " ")
            if words.count >= 4, words[1] == "requests", words[2] == "in", let n = Int(words[0]) {
                requests = n
                seconds = LoadReport.seconds(String(words[3].trimmingCharacters(in: CharacterSet(charactersIn: ","))))
            } else if line.hasPrefix("Requests/sec:"), let last = words.last {
                perSecond = Double(last)
            } else if line.hasPrefix("Socket errors:") {
                socketErrors = String(line.dropFirst("Socket errors:".count)).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("Non-2xx or 3xx responses:"), let last = words.last, let n = Int(last) {
                non2xx = n
            }
        }
        guard let requests, let seconds, let perSecond else { throw LabError.unexpectedOutput("cannot read wrk's output:\n\(output)") }
        self.init(requests: requests, seconds: seconds, requestsPerSecond: perSecond, socketErrors: socketErrors, non2xx: non2xx, output: output)
    }

    /// wrk's durations: `5.00s`, `1.00m`, `250.00ms`, `1.00h`.
    static func seconds(_ text: String) -> Double? {
        for (suffix, scale) in [("ms", 0.001), ("us", 0.000001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return Double(text)
    }
}
