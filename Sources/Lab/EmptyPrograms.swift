import BPF
import Codegen
import Foundation
import Spec

/// An empty tc program (Benchmarks/empty.bpf.c: it only returns) at every point where the
/// runners attach, at both hooks, while the kernel's run-time statistics are on: what any tc
/// program costs at those points on live traffic (the call, the kernel's two clock reads, cold
/// caches), the floor our programs' live figures compare with, as meshtrace-bench's empty
/// program is for BPF_PROG_TEST_RUN.
public final class EmptyPrograms {
    /// Compiles the empty program with the flags of our own objects.
    public static func compile(_ source: URL, into directory: URL) throws -> URL {
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw LabError.invalidArgument("the empty tc program \(source.path) is missing (run from the package root, or pass --empty-program)")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let object = directory.appendingPathComponent("empty.o")
        try ClangDriver().compile(source: source, output: object, profile: .loops)
        return object
    }

    private let testbed: Testbed
    /// (namespace, device) of every attached point.
    private var devices: [(String, String)] = []
    private var programIDs: [UInt32] = []
    private let statistics: RunTimeStatistics

    /// Attaches `object` at each node's NIC and its pods' vports, both hooks; statistics on.
    init(testbed: Testbed, object: URL) throws {
        self.testbed = testbed
        statistics = try RunTimeStatistics()
        do {
            for node in testbed.topology.nodes {
                for device in [node.nic] + testbed.topology.pods(on: node).map(\.vport) {
                    _ = try testbed.run(in: node.namespace, "tc", ["qdisc", "replace", "dev", device, "clsact"]).check()
                    devices.append((node.namespace, device))
                    for hook in Hook.allCases {
                        _ = try testbed.run(in: node.namespace, "tc", ["filter", "add", "dev", device, hook.rawValue, "bpf", "da", "obj", object.path, "sec", "tc"]).check()
                        programIDs.append(try Self.programID(testbed: testbed, namespace: node.namespace, device: device, hook: hook))
                    }
                }
            }
        } catch {
            detach()
            throw error
        }
    }

    /// The empty programs' runs and ns so far, summed.
    func counted() throws -> ProgramRunStatistics {
        try programIDs.map(ProgramRunStatistics.ofProgram(id:)).reduce(ProgramRunStatistics(runs: 0, nanoseconds: 0)) {
            ProgramRunStatistics(runs: $0.runs + $1.runs, nanoseconds: $0.nanoseconds + $1.nanoseconds)
        }
    }

    /// Removes the clsact qdiscs it put there, and with them the filters.
    func detach() {
        for (namespace, device) in devices { _ = try? testbed.run(in: namespace, "tc", ["qdisc", "del", "dev", device, "clsact"]) }
        devices.removeAll()
    }

    /// The id of the one program a device's hook runs (`tc -j filter show`).
    private static func programID(testbed: Testbed, namespace: String, device: String, hook: Hook) throws -> UInt32 {
        let shown = try testbed.run(in: namespace, "tc", ["-j", "filter", "show", "dev", device, hook.rawValue]).check().stdout
        struct Filter: Decodable {
            struct Options: Decodable {
                struct Program: Decodable { var id: UInt32 }
                var prog: Program?
            }
            var options: Options?
        }
        let ids = try JSONDecoder().decode([Filter].self, from: Data(shown.utf8)).compactMap { $0.options?.prog?.id }
        guard ids.count == 1, let id = ids.first else {
            throw LabError.unexpectedOutput("tc filter show dev \(device) \(hook.rawValue) in \(namespace): \(ids.count) BPF programs, not 1: \(shown)")
        }
        return id
    }
}
