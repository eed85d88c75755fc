import Foundation
import Runner

/// meshtrace-run on every node of a testbed: at the node's NIC and at the vports of its pods,
/// each runner inside its node's namespace, its JSON lines collected when it stops.
public final class TracingRun {
    public struct NodeOutput: Sendable {
        public var node: String
        /// The joined packets the runner printed.
        public var packets: [PacketRecord]
        /// Its last summary.
        public var summary: RunSummary?
        /// Everything else it printed (notes, the summary table, errors).
        public var notes: [String]
        /// CPU seconds (user + system) the runner spent from its attach to its stop: its load and
        /// verification before, its report after, left out.
        public var cpuSeconds: Double
    }

    /// Where each runner attaches.
    public enum Points: Sendable {
        /// `--point nic=NIC --point vport=VPORTS`, from the topology.
        case topology
        /// `--discover`: what the runner finds in its node's namespace.
        case discover
    }

    public let testbed: Testbed
    /// The runners, while they run (their output so far: `process.output()`).
    public private(set) var runners: [(node: Node, process: BackgroundProcess)] = []
    /// Each runner's CPU ticks when it had attached, by pid.
    private var attachedTicks: [Int32: Int] = [:]

    public init(testbed: Testbed) {
        self.testbed = testbed
    }

    /// The meshtrace executables sit beside the running one (in the build directory).
    public static func executable(_ name: String) throws -> String {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let candidate = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: candidate) else { throw LabError.missingTool(candidate) }
        return candidate
    }

    /// Starts one runner per node and waits until each has attached; `nodeArguments` adds a node's own.
    /// `format`: `.summary` when only the runners' summaries are read (their packets are not printed).
    public func start(object: String, points: Points = .topology, format: RecordWriter.Format = .jsonl, extraArguments: [String] = [],
                      nodeArguments: (Node) -> [String] = { _ in [] }) throws {
        let runner = try Self.executable("meshtrace-run")
        let topology = testbed.topology
        for node in topology.nodes {
            let vports = topology.pods(on: node).map(\.vport).joined(separator: ",")
            let attach = switch points {
            case .topology: ["--point", "nic=\(node.nic)", "--point", "vport=\(vports)"]
            case .discover: ["--discover"]
            }
            let arguments = [object] + attach + ["--format", format.rawValue] + extraArguments + nodeArguments(node)
            let process = try testbed.start(in: node.namespace, runner, arguments, label: "\(node.name)-meshtrace-run")
            runners.append((node, process))
        }
        for (node, process) in runners {
            do {
                try process.waitForOutput(containing: "attached vport", timeout: 15)
                attachedTicks[process.pid] = try Self.cpuTicks(of: process.pid)
            } catch {
                let output = process.output()
                stopAll()
                throw LabError.commandFailed(command: "meshtrace-run on \(node.name)", status: -1, stderr: output)
            }
        }
    }

    /// Stops the runners (SIGSTOP) with their programs attached: packets still run them, and what
    /// the ring cannot hold is counted by the kernel as dropped. `stop` resumes them first.
    public func pause() {
        for (_, process) in runners { kill(process.pid, SIGSTOP) }
    }

    /// Stops the runners with SIGINT (they detach and print their summary) and parses their output.
    @discardableResult
    public func stop() -> [NodeOutput] {
        defer { runners.removeAll() }
        return runners.map { node, process in
            var cpuSeconds = Double.nan, cpuNote: String?
            do {
                guard let attached = attachedTicks[process.pid] else { throw LabError.unexpectedOutput("it never attached") }
                cpuSeconds = Double(try Self.cpuTicks(of: process.pid) - attached) / Double(sysconf(Int32(_SC_CLK_TCK)))
            } catch {
                cpuNote = "its CPU time is unknown: \(error)"
            }
            // A stopped process takes SIGINT only once it runs again.
            kill(process.pid, SIGCONT)
            process.stop(signal: SIGINT, grace: 10)
            var output = NodeOutput(node: node.name, packets: [], summary: nil, notes: [], cpuSeconds: cpuSeconds)
            for line in process.output().split(separator: "\n") {
                if let packet = PacketRecord.decoded(line: line) {
                    output.packets.append(packet)
                } else if let summary = RunSummary.decoded(line: line) {
                    output.summary = summary
                } else {
                    output.notes.append(String(line))
                }
            }
            if let cpuNote { output.notes.append(cpuNote) }
            return output
        }
    }

    /// utime + stime of a process, in clock ticks (/proc/PID/stat, fields 14 and 15).
    static func cpuTicks(of pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name (field 2) is in parentheses and may hold spaces: count from its end.
        guard let close = stat.lastIndex(of: ")") else { throw LabError.unexpectedOutput("/proc/\(pid)/stat: \(stat)") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
            throw LabError.unexpectedOutput("/proc/\(pid)/stat: \(stat)")
        }
        return user + system
    }

    private func stopAll() {
        for (_, process) in runners {
            kill(process.pid, SIGCONT)
            process.stop(signal: SIGINT, grace: 5)
        }
        runners.removeAll()
    }

    deinit {
        stopAll()
    }
}
