// The testbed's users run commands too: Command comes with Lab.
@_exported import Subprocess
import Foundation

/// Two nodes, three pods and a VXLAN overlay in network namespaces, built from a `Topology`.
/// It keeps no state of its own beyond a scratch directory: what is up is read from the kernel,
/// so one process can bring it up and another tear it down.
public struct Testbed: Sendable {
    public let topology: Topology
    /// Web roots, server logs and captures; removed by `down()`.
    public let stateDirectory: URL

    public enum UpOutcome: String, Sendable {
        /// It was up and healthy already; nothing was touched.
        case alreadyUp
        /// Nothing was there; it was built.
        case built
        /// A half-built or broken one was torn down and built again.
        case rebuilt
    }

    public init(prefix: String = Topology.defaultPrefix) throws {
        try self.init(topology: Topology(prefix: prefix))
    }

    public init(topology: Topology) {
        self.topology = topology
        stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrace-lab-\(topology.prefix)", isDirectory: true)
    }

    /// Builds the testbed unless it is already up and healthy; a partial one is torn down and rebuilt.
    @discardableResult
    public func up() throws -> UpOutcome {
        try Privileges.requireRoot()
        for tool in ["ip", "sysctl", "bridge", "python3"] { _ = try ProgramLookup.path(tool) }
        let before = try status()
        if before.isUp { return .alreadyUp }
        let leftovers = !before.isAbsent || FileManager.default.fileExists(atPath: stateDirectory.path)
        if leftovers { try down() }
        do {
            try build()
            let after = try status()
            guard after.isUp else { throw LabError.notHealthy(after.problems) }
        } catch {
            try? down()
            throw error
        }
        return leftovers ? .rebuilt : .built
    }

    /// Stops every process in the testbed's namespaces, deletes the namespaces (and with them
    /// every interface made inside), and removes the state directory. Succeeds when nothing is there.
    public func down() throws {
        try Privileges.requireRoot()
        let present = try NetworkNamespace.all()
        let mine = present.filter { topology.namespaces.contains($0) || isAddedPod($0) }.map(NetworkNamespace.init)
        // Everything running in these namespaces was started by a testbed: servers, captures, load.
        for namespace in mine {
            for pid in namespace.pids() { BackgroundProcess.terminate(pid: pid) }
        }
        for namespace in mine { try namespace.delete() }
        if FileManager.default.fileExists(atPath: stateDirectory.path) {
            try FileManager.default.removeItem(at: stateDirectory)
        }
        let remaining = Set(try NetworkNamespace.all()).intersection(topology.namespaces)
        guard remaining.isEmpty else {
            throw LabError.unexpectedOutput("namespaces still present after down: \(remaining.sorted().joined(separator: ", "))")
        }
    }

    /// The namespace of a node or pod, checked to belong to this testbed.
    public func namespace(_ name: String) throws -> NetworkNamespace {
        guard topology.namespaces.contains(name) else { throw LabError.foreignNamespace(name) }
        return NetworkNamespace(name)
    }

    /// Runs `program` inside one of the testbed's namespaces (`ip netns exec`), capturing its output.
    public func run(in namespace: String, _ program: String, _ arguments: [String] = [], input: Data? = nil) throws -> CommandResult {
        try Privileges.requireRoot()
        return try self.namespace(namespace).run(program, arguments, input: input)
    }

    /// Starts `program` inside one of the testbed's namespaces and leaves it running; its output
    /// goes to a log in the state directory. `down()` stops it if the caller has not.
    public func start(in namespace: String, _ program: String, _ arguments: [String] = [], label: String? = nil, directory: URL? = nil) throws -> BackgroundProcess {
        try Privileges.requireRoot()
        let netns = try self.namespace(namespace)
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let name = label ?? "\(namespace)-\((program as NSString).lastPathComponent)"
        let log = logDirectory.appendingPathComponent("\(name)-\(UInt32.random(in: 0...UInt32.max)).log")
        return try BackgroundProcess(namespace: netns, program: program, arguments: arguments, log: log, directory: directory)
    }

    var logDirectory: URL { stateDirectory.appendingPathComponent("logs", isDirectory: true) }
}
