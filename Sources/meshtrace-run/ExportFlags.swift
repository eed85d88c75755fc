import ArgumentParser
import Foundation
import Runner

/// Where joined hops go besides the output: an OTLP collector, InfluxDB, a `/metrics` endpoint.
struct ExportFlags: ParsableArguments {
    @Option(help: "An OTLP/HTTP collector (http://HOST:4318): one span per joined hop, in the request's own trace, under the span that sent it.")
    var otlpEndpoint: String?

    @Flag(help: "Also export hops whose context says not sampled (off: the trace's owner chose not to record it).")
    var otlpUnsampled = false

    @Option(help: "InfluxDB (v1 API, http://HOST:8086): one point per joined hop, with --influx-database.")
    var influxUrl: String?

    @Option(help: "The InfluxDB database to write to.")
    var influxDatabase: String?

    @Option(help: "HOST:PORT to serve Prometheus metrics on (/metrics): hop latency histograms, every count and drop.")
    var metricsAddress: String?

    /// The exporters these flags ask for, named `node`; nil when none is asked for.
    func exporters(node: String) throws -> HopExporters? {
        var options = HopExporters.Options(node: node)
        options.otlpEndpoint = try otlpEndpoint.map { try Self.url($0, flag: "--otlp-endpoint") }
        options.otlpUnsampled = otlpUnsampled
        options.influxURL = try influxUrl.map { try Self.url($0, flag: "--influx-url") }
        options.influxDatabase = influxDatabase
        options.metricsAddress = metricsAddress
        if otlpUnsampled && otlpEndpoint == nil { throw RunnerError.usage("--otlp-unsampled needs --otlp-endpoint") }
        return options.isEmpty && influxDatabase == nil ? nil : try HopExporters(options)
    }

    static func url(_ text: String, flag: String) throws -> URL {
        guard let url = URL(string: text), url.scheme != nil, url.host != nil else {
            throw RunnerError.usage("\(flag) takes a URL such as http://127.0.0.1:4318, not '\(text)'")
        }
        return url
    }
}
