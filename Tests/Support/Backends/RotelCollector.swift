import Foundation

/// A real OpenTelemetry collector, rotel, on loopback ports chosen at run time, printing every span
/// it receives (`--debug-log traces --debug-log-verbosity detailed`) and exporting nowhere.
public final class RotelCollector {
    public let httpPort: Int
    public let process: BackendProcess
    public let directory: URL

    /// Starts it on `httpPort` (a free one when nil) and waits until it accepts connections.
    /// In `namespace` (a lab node's), on that namespace's own loopback.
    public init(httpPort: Int? = nil, printSpans: Bool = true, namespace: String? = nil) throws {
        let binary = try Programs.rotel()
        directory = try Programs.temporaryDirectory("meshtrace-rotel")
        var lastFailure: Error?
        for _ in 0..<3 {
            let http = try httpPort ?? Loopback.freePort()
            let grpc = try Loopback.freePort()
            var arguments = ["start", "--otlp-http-endpoint", "127.0.0.1:\(http)", "--otlp-grpc-endpoint", "127.0.0.1:\(grpc)",
                             "--exporter", "blackhole", "--pid-file", directory.appendingPathComponent("rotel.pid").path]
            if printSpans { arguments += ["--debug-log", "traces", "--debug-log-verbosity", "detailed"] }
            let (executable, prefix) = namespace.map { ("/usr/sbin/ip", ["netns", "exec", $0, binary]) } ?? (binary, [])
            let process = try BackendProcess(name: "rotel", executable: executable, arguments: prefix + arguments, directory: directory)
            do {
                try Loopback.wait("rotel on 127.0.0.1:\(http)", timeout: 10) {
                    guard process.isRunning else { throw BackendFailure("rotel exited: \(process.output)") }
                    return Loopback.accepts(port: http, namespace: namespace)
                }
                self.httpPort = http
                self.process = process
                return
            } catch {
                process.stop()
                lastFailure = error
                if httpPort != nil { break }
            }
        }
        throw lastFailure!
    }

    public var endpoint: URL { URL(string: "http://127.0.0.1:\(httpPort)")! }

    public func stop() { process.stop() }

    /// The process first, then its files: nothing of a test's backend outlives it.
    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The spans printed so far.
    public var spans: [ReceivedSpan] { ReceivedSpan.parse(process.output) }

    /// Waits until a span of each of `traceIds` has been printed.
    public func waitForTraces(_ traceIds: Set<String>, timeout: TimeInterval = 10) throws {
        try Loopback.wait("spans of \(traceIds.count) trace(s) at rotel", timeout: timeout) {
            traceIds.isSubset(of: Set(spans.map(\.traceId)))
        }
    }

    /// Waits until `count` spans have been printed.
    public func waitForSpans(_ count: Int, timeout: TimeInterval = 10) throws -> [ReceivedSpan] {
        var received: [ReceivedSpan] = []
        try Loopback.wait("\(count) span(s) at rotel", timeout: timeout) {
            received = spans
            return received.count >= count
        }
        return received
    }
}

/// A span as rotel's detailed debug log prints it.
public struct ReceivedSpan {
    public var resource: [String: String] = [:]
    public var traceId = ""
    public var parentId = ""
    public var spanId = ""
    public var name = ""
    public var kind = ""
    public var start: UInt64 = 0
    public var end: UInt64 = 0
    /// Values as printed: `Str(rx)`, `Int(5)`.
    public var attributes: [String: String] = [:]

    public static func parse(_ log: String) -> [ReceivedSpan] {
        var spans: [ReceivedSpan] = []
        var resource: [String: String] = [:]
        var section = ""
        var current: ReceivedSpan?
        func field(_ line: Substring) -> String {
            line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        }
        for raw in log.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("ResourceSpans #") {
                if let span = current { spans.append(span) }
                current = nil
                resource = [:]
                section = "resource"
            } else if line.hasPrefix("Span #") {
                if let span = current { spans.append(span) }
                current = ReceivedSpan(resource: resource)
                section = "span"
            } else if line == "Attributes:" {
                section = current == nil ? "resource" : "attributes"
            } else if line.hasPrefix("-> ") {
                let pair = line.dropFirst(3)
                guard let colon = pair.range(of: ": ") else { continue }
                let key = String(pair[..<colon.lowerBound]), value = String(pair[colon.upperBound...])
                if section == "attributes" { current?.attributes[key] = value } else if section == "resource" { resource[key] = value }
            } else if current != nil {
                let text = Substring(line)
                if line.hasPrefix("Trace ID") { current?.traceId = field(text) }
                else if line.hasPrefix("Parent ID") { current?.parentId = field(text) }
                else if line.hasPrefix("ID") { current?.spanId = field(text) }
                else if line.hasPrefix("Name") { current?.name = field(text) }
                else if line.hasPrefix("Kind") { current?.kind = field(text) }
                else if line.hasPrefix("Start time") { current?.start = UInt64(field(text)) ?? 0 }
                else if line.hasPrefix("End time") { current?.end = UInt64(field(text)) ?? 0 }
            }
        }
        if let span = current { spans.append(span) }
        return spans
    }
}
