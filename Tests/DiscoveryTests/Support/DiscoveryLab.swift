import Foundation
import Subprocess

/// A small node of our own for the discovery tests (not the Lab target, which is being reshaped):
/// a "node" namespace with a veth NIC (its peer in an "underlay" namespace), a VXLAN device on
/// top of it, and pod namespaces joined by veths named like Calico's (`cali` + 11 hex) and plain
/// `veth…`; one pod has no /run/netns name, only a sleeping process (`unshare --net`).
/// Every namespace is `mtdisc<random>-…`; addresses are in 198.18.0.0/15.
final class DiscoveryLab {
    struct Pod {
        var vport: String
        var address: String
        /// The /run/netns name, nil for the pod that only a process holds.
        var namespace: String?
        var sleeper: Process?
        var netnsPath: String { namespace.map { "/run/netns/\($0)" } ?? "/proc/\(sleeper!.processIdentifier)/ns/net" }
    }

    let prefix = "mtdisc" + String(UInt32.random(in: 0...0xfffff), radix: 16)
    var node: String { "\(prefix)-node" }
    var underlay: String { "\(prefix)-under" }
    private(set) var pods: [Pod] = []
    private var namespaces: [String] = []
    private var sleepers: [Process] = []
    private var podCount = 0

    /// - Parameter overlay: the tunnel device's `ip link add` arguments after its name, nil for none.
    init(overlay: [String]? = ["type", "vxlan", "id", "42", "local", "198.18.0.1", "dev", "eth0", "dstport", "4789"], overlayName: String = "flannel.1") throws {
        do {
            try addNamespace(node)
            try addNamespace(underlay)
            try ip(node, ["link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", underlay])
            try ip(node, ["addr", "add", "198.18.0.1/24", "dev", "eth0"])
            try ip(node, ["link", "set", "eth0", "up"])
            try ip(underlay, ["addr", "add", "198.18.0.2/24", "dev", "eth0"])
            try ip(underlay, ["link", "set", "eth0", "up"])
            try ip(node, ["route", "add", "default", "via", "198.18.0.2", "dev", "eth0"])
            if let overlay {
                try ip(node, ["link", "add", overlayName] + overlay)
                try ip(node, ["link", "set", overlayName, "up"])
            }
        } catch {
            tearDown()
            throw error
        }
    }

    /// A named pod namespace with a process sleeping in it; `calico` picks the vport's naming.
    @discardableResult
    func addPod(calico: Bool) throws -> Pod {
        podCount += 1
        let name = "\(prefix)-pod\(podCount)"
        try addNamespace(name)
        let sleeper = try sleep(["nsenter", "--net=/run/netns/\(name)"])
        let pod = Pod(vport: vportName(calico: calico), address: "198.19.7.\(podCount + 1)", namespace: name, sleeper: sleeper)
        try wire(pod, target: name)
        pods.append(pod)
        return pod
    }

    /// A pod namespace that only its process holds: no /run/netns name.
    @discardableResult
    func addUnnamedPod() throws -> Pod {
        podCount += 1
        let sleeper = try sleep(["unshare", "--net"])
        let pod = Pod(vport: vportName(calico: false), address: "198.19.7.\(podCount + 1)", namespace: nil, sleeper: sleeper)
        try wire(pod, target: String(sleeper.processIdentifier))
        pods.append(pod)
        return pod
    }

    /// Deletes a pod the way a CNI DEL does: the namespace goes, and its veth pair with it.
    func removePod(_ vport: String) throws {
        guard let index = pods.firstIndex(where: { $0.vport == vport }) else { return }
        let pod = pods.remove(at: index)
        stop(pod.sleeper)
        if let namespace = pod.namespace {
            try Command.run(["ip", "netns", "delete", namespace]).check()
            namespaces.removeAll { $0 == namespace }
        }
        // The kernel frees a namespace (and its veths) asynchronously once its last user is gone.
        let deadline = Date().addingTimeInterval(5)
        while (try? ip(node, ["link", "show", vport])) != nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    }

    func tearDown() {
        for sleeper in sleepers { stop(sleeper) }
        sleepers.removeAll()
        for name in namespaces.reversed() { _ = try? Command.run(["ip", "netns", "delete", name]) }
        namespaces.removeAll()
    }

    private func wire(_ pod: Pod, target: String) throws {
        // `netns` takes a name or a PID; the pod side is eth0, as in every CNI.
        try ip(node, ["link", "add", pod.vport, "type", "veth", "peer", "name", "eth0", "netns", target])
        try ip(node, ["link", "set", pod.vport, "up"])
        let inPod = ["nsenter", "--net=\(pod.netnsPath)", "ip"]
        try Command.run(inPod + ["addr", "add", "\(pod.address)/32", "dev", "eth0"]).check()
        try Command.run(inPod + ["link", "set", "eth0", "up"]).check()
    }

    private func vportName(calico: Bool) -> String {
        let hex = (0..<(calico ? 11 : 8)).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        return (calico ? "cali" : "veth") + hex
    }

    private func sleep(_ launcher: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ProgramLookup.path(launcher[0]))
        // nsenter and unshare exec the command in their own process, so this PID is the sleeper's.
        process.arguments = Array(launcher.dropFirst()) + [try ProgramLookup.path("sleep"), "600"]
        try process.run()
        sleepers.append(process)
        let deadline = Date().addingTimeInterval(5)
        let own = NamespaceInode.of("/proc/self/ns/net")
        while NamespaceInode.of("/proc/\(process.processIdentifier)/ns/net") == own, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        return process
    }

    private func stop(_ process: Process?) {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    private func addNamespace(_ name: String) throws {
        try Command.run(["ip", "netns", "add", name]).check()
        namespaces.append(name)
        try ip(name, ["link", "set", "lo", "up"])
        try Command.run(["ip", "netns", "exec", name, try ProgramLookup.path("sysctl"), "-q", "-e", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]).check()
    }

    @discardableResult
    func ip(_ namespace: String, _ arguments: [String]) throws -> CommandResult {
        try Command.run(["ip", "-n", namespace] + arguments).check()
    }
}

enum NamespaceInode {
    static func of(_ path: String) -> UInt64? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else {
            var info = stat()
            return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
        }
        return UInt64(target.dropFirst(5).dropLast())
    }
}

enum Root {
    static var isRoot: Bool { geteuid() == 0 }
}
