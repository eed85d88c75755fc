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
            // A stopped process takes SIGINT only once it runs again.
            kill(process.pid, SIGCONT)
            process.stop(signal: SIGINT, grace: 10)
            var output = NodeOutput(node: node.name, packets: [], summary: nil, notes: [])
            for line in process.output().split(separator: "\n") {
                if let packet = PacketRecord.decoded(line: line) {
                    output.packets.append(packet)
                } else if let summary = RunSummary.decoded(line: line) {
                    output.summary = summary
                } else {
                    output.notes.append(String(line))
                }
            }
            return output
        }
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
