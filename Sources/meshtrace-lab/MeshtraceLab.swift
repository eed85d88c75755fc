import ArgumentParser
import Foundation
import Lab
import Spec

@main
struct MeshtraceLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshtrace-lab",
        abstract: "A two-node VXLAN testbed in network namespaces, for meshtrace's tracing points.",
        discussion: """
            Nodes, pods and the overlay live in network namespaces named <prefix>-node1, <prefix>-pod1, ...;
            every address is in 198.18.0.0/15. Needs root.
            """,
        subcommands: [Up.self, Down.self, Status.self, Traffic.self, Load.self, Demo.self, Evaluate.self, Overhead.self]
    )
}

struct TestbedOptions: ParsableArguments {
    @Option(help: "Name prefix for the testbed's namespaces and interfaces (at most \(Topology.maxPrefixLength) lowercase letters or digits; default \(Topology.defaultPrefix), with a mesh \(MeshTopology.defaultPrefix)).")
    var prefix: String?

    func testbed() throws -> Testbed {
        try Privileges.requireRoot()
        return try Testbed(prefix: prefix ?? Topology.defaultPrefix)
    }
}

extension Placement: ExpressibleByArgument {}

struct Up: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Build the testbed (or leave a healthy one as it is) and print its topology.")

    @OptionGroup var options: TestbedOptions
    @OptionGroup var meshOptions: MeshUpOptions

    func run() throws {
        if let variant = try meshOptions.variant() { return try MeshCommands.up(try options.mesh(), variant) }
        let testbed = try options.testbed()
        let outcome = try testbed.up()
        let how = switch outcome {
        case .alreadyUp: "already up"
        case .built: "built"
        case .rebuilt: "rebuilt (a partial one was torn down)"
        }
        print("testbed \(testbed.topology.prefix): up, \(how)")
        print(testbed.topology)
    }
}

struct Down: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop the testbed's processes and remove its namespaces and interfaces.")

    @OptionGroup var options: TestbedOptions
    @OptionGroup var meshFlag: MeshFlag

    func run() throws {
        let testbed = meshFlag.mesh ? try options.mesh().testbed : try options.testbed()
        try testbed.down()
        print("testbed \(testbed.topology.prefix): down")
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Say whether the testbed is up (exit 0), absent (exit 1) or broken (exit 2)."
    )

    @OptionGroup var options: TestbedOptions
    @OptionGroup var meshFlag: MeshFlag

    func run() throws {
        if meshFlag.mesh { return try MeshCommands.status(try options.mesh()) }
        let testbed = try options.testbed()
        let status = try testbed.status()
        try Self.report(what: "testbed \(testbed.topology.prefix)", up: status.isUp ? "up" : nil, absent: status.isAbsent,
                        problems: status.problems, topology: testbed.topology, flags: "")
    }

    /// Prints the verdict; exits 1 when absent, 2 when partly up.
    static func report(what: String, up: String?, absent: Bool, problems: [String], topology: Topology, flags: String) throws {
        if let up {
            print("\(what): \(up)")
            print(topology)
        } else if absent {
            print("\(what): down")
            throw ExitCode(1)
        } else {
            print("\(what): partly up (run 'meshtrace-lab up\(flags)' to rebuild, 'meshtrace-lab down\(flags.isEmpty ? "" : " --mesh")' to remove)")
            for problem in problems { print("  \(problem)") }
            throw ExitCode(2)
        }
    }
}

struct Traffic: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send HTTP/1.1 requests with fresh traceparents from pod1 to a serving pod; print what was sent.",
        discussion: "Prints one line per request: traceparent, HTTP status, traceparent's byte offset in the payload."
    )

    @OptionGroup var options: TestbedOptions

    @Option(name: .shortAndLong, help: "How many requests (one connection each).")
    var count = 10

    @Option(help: "Where traceparent goes: fixed (first header) or anywhere (after ~1 KB of headers).")
    var placement: Placement = .fixed

    @Option(help: "With --placement anywhere, the byte offset at which the traceparent line begins.")
    var padding = 1024

    @Option(help: "The serving pod to send to.")
    var to = "pod2"

    func run() throws {
        let testbed = try options.testbed()
        guard let server = testbed.topology.pod(named: to), server.serves else {
            throw ValidationError("--to must name a serving pod: \(testbed.topology.pods.filter(\.serves).map(\.name).joined(separator: ", "))")
        }
        let status = try testbed.status()
        guard status.isUp else { throw ValidationError("testbed \(testbed.topology.prefix) is not up; run 'meshtrace-lab up' first") }
        let report = try testbed.sendRequests(count: count, placement: placement, to: server, padding: padding)
        print("# \(report.requests.count) requests \(report.from.name) (\(report.from.ip)) -> \(report.to.name) \(testbed.topology.url(of: report.to, path: HTTPRequest.path)), placement \(placement.rawValue)")
        for request in report.requests {
            let outcome = request.error.map { "error: \($0)" } ?? "\(request.status)"
            print("\(request.context.traceparent) \(outcome) offset=\(request.contextOffset)")
        }
        if !report.failures.isEmpty {
            FileHandle.standardError.write(Data("\(report.failures.count) of \(report.requests.count) requests failed\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run wrk from pod1 against pod2's server for a bounded time.")

    @OptionGroup var options: TestbedOptions

    @Option(name: .shortAndLong, help: "Seconds (\(LoadOptions.durationRange.lowerBound)...\(LoadOptions.durationRange.upperBound)).")
    var duration = 5

    @Option(name: .shortAndLong, help: "Open connections.")
    var connections = 8

    @Option(name: .shortAndLong, help: "wrk threads.")
    var threads = 2

    @Option(help: "Where traceparent goes: fixed or anywhere.")
    var placement: Placement = .fixed

    func run() throws {
        let testbed = try options.testbed()
        guard try testbed.status().isUp else { throw ValidationError("testbed \(testbed.topology.prefix) is not up; run 'meshtrace-lab up' first") }
        let report = try testbed.load(LoadOptions(duration: duration, connections: connections, threads: threads, placement: placement))
        print(report.output, terminator: "")
    }
}
