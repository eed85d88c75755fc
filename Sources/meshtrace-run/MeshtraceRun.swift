import ArgumentParser
import BPF
import Foundation
import Runner
import Spec
import Subprocess

/// Set by SIGINT/SIGTERM; the session polls it between ring-buffer polls.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

@main
struct MeshtraceRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshtrace-run",
        abstract: "Load a meshtrace object, attach it at the tracing points, and report per-hop latency.",
        discussion: """
            meshtrace-run generated/mesh.bpf.o --point nic=eth0 --point 'vport=veth*' --duration 30
            meshtrace-run generated/mesh.bpf.o --discover --node-name node1 --trace-service default/reviews:http
            Joined packets go to standard output (jsonl or csv), the summary and notes to standard error.
            """
    )

    @Argument(help: "An object written by meshtrace-gen.")
    var object: String

    @Option(name: .customLong("point"), help: "NAME=INTERFACE[,INTERFACE…]: where a tracing point is (globs allowed).")
    var points: [String] = []

    @Option(help: "Enter this network namespace (as `ip netns` names it) first.")
    var netns: String?

    @Option(help: "Output format: jsonl or csv, a line per joined packet; summary: the summary alone (for a node agent that exports).")
    var format: String = "jsonl"

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "Print the summary every this many seconds too.")
    var interval: Double?

    @Flag(help: "Print every decoded event (with the context's verdict) instead of joined packets.")
    var events = false

    @Option(help: "Run the frames of this pcap/pcapng capture through the programs instead of attaching (repeatable).")
    var replay: [String] = []

    @Option(help: "FILE=POINT:HOOK: where a --replay capture was taken (default: the spec's first point, ingress).")
    var pointMap: [String] = []

    @Option(help: "NAME=KEY[,KEY…]:trace|skip: an entry of a match-action table (keys in the table's order; LPM as ADDRESS/PREFIX).")
    var table: [String] = []

    @Option(help: "A file of table entries, one NAME=KEY[,KEY…]:ACTION a line (# comments).")
    var tableFile: [String] = []

    @Option(help: "NAME=trace|skip: a table's action for packets no entry matches (overrides the spec's).")
    var tableDefault: [String] = []

    @Option(help: "Most packets waiting for their second point, per runner.")
    var joinCapacity = 65536

    @Option(help: "Seconds a packet waits for its second point before it counts as unmatched.")
    var joinTimeout = 2.0

    @Flag(help: "Turn on the kernel's BPF run-time statistics while running and report each hook's program: runs and ns a run, its tail calls included (costs the kernel two clock reads a run).")
    var programCost = false

    @Flag(name: .shortAndLong, help: "Show libbpf's own warnings and notes (silenced otherwise); with --discover, every scan.")
    var verbose = false

    @Option(help: "This node's name: on every exported span, point and metric (default: the host name), and, with --discover and Kubernetes, the node whose pods are named.")
    var nodeName: String?

    @OptionGroup(title: "Discovery (the node agent)")
    var discovery: DiscoveryFlags

    @OptionGroup(title: "Export")
    var export: ExportFlags

    func run() throws {
        do {
            guard let format = RecordWriter.Format(rawValue: format) else {
                throw RunnerError.usage("--format is jsonl, csv or summary")
            }
            BPFObject.showsLibBPFMessages = verbose
            if let netns { try NetworkNamespace(netns).enter() }
            let bindings = try points.map(PointBinding.init(parsing:))
            var discovered = try discovery.options(points: points, netns: netns, verbose: verbose, nodeName: nodeName)
            if bindings.isEmpty && replay.isEmpty && discovered == nil {
                throw RunnerError.usage("say where to attach with --point NAME=INTERFACE or --discover, or --replay a capture")
            }
            if discovered != nil && !replay.isEmpty { throw RunnerError.usage("--replay runs captures offline; it attaches nowhere, so it takes no --discover") }
            let loaded = try LoadedObject(path: object)
            let entries = try table.map(TableEntry.init(parsing:)) + tableFile.flatMap(TableEntry.parse(file:))
            var defaults: [String: TableAction] = [:]
            for text in tableDefault {
                let parts = text.split(separator: "=").map(String.init)
                guard parts.count == 2, let action = TableAction(rawValue: parts[1]) else {
                    throw RunnerError.usage("--table-default takes NAME=trace|skip, not '\(text)'")
                }
                defaults[parts[0]] = action
            }
            try TableFiller.fill(loaded, entries: entries, defaults: defaults)
            let exporters = try export.exporters(node: nodeName ?? ProcessInfo.processInfo.hostName)
            discovered?.userTables = Set(entries.map(\.table) + defaults.keys)
            signal(SIGINT) { _ in stopRequested = 1 }
            signal(SIGTERM) { _ in stopRequested = 1 }
            let session = TraceSession(
                object: loaded,
                options: .init(bindings: bindings, duration: duration, interval: interval, printEvents: events,
                               joinCapacity: joinCapacity, joinTimeoutNs: UInt64(joinTimeout * 1e9), discovery: discovered,
                               exporters: exporters, programCost: programCost),
                writer: RecordWriter(format: format) { line in
                    // Line by line, so a pipe sees each record as it is joined.
                    FileHandle.standardOutput.write(Data((line + "\n").utf8))
                },
                log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            )
            if replay.isEmpty {
                try session.run { stopRequested != 0 }
            } else {
                try session.replay(try ReplayInput.resolve(files: replay, mappings: pointMap, spec: loaded.manifest.spec))
            }
        } catch let error as RunnerError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode.failure
        } catch let error as NamespaceError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode.failure
        }
    }
}
