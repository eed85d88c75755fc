import Discovery
import Foundation

/// `--discover`: the node agent. Each refresh (every second) scans the node with `NodeScanner`,
/// points the `Attacher` at the NIC (the spec's NIC point) and at every vport (its vport point),
/// so new pods are attached and gone ones released; names packets after pods and Services when
/// an API server is known; keeps `--trace-service`'s table entries current. Every change is a
/// note, numbered by the scan that saw it.
public final class NodeAgent: TracingPoints {
    let object: LoadedObject
    let options: DiscoveryOptions
    private let scanner: NodeScanner
    private let attacher: Attacher
    private let podNames: PodNames?
    private var services: ServiceTracer?
    private var inventory: NodeInventory?
    private var scans = 0
    private var reportedProblems: Set<String> = []
    private var notes: [String] = []

    public init(object: LoadedObject, options: DiscoveryOptions) throws {
        let points = object.manifest.spec.points.map(\.name)
        for name in [options.nicPoint, options.vportPoint] where !points.contains(name) {
            throw RunnerError.usage(
                "--discover attaches point '\(options.nicPoint)' at the NIC and '\(options.vportPoint)' at the vports, but spec "
                    + "\(object.manifest.spec.name) has no point '\(name)' (it has \(points.joined(separator: ", "))): "
                    + "say which is which with --discover-map nic=POINT,vport=POINT"
            )
        }
        guard options.nicPoint != options.vportPoint else {
            throw RunnerError.usage("--discover-map: the NIC and the vports need two different points, not both '\(options.nicPoint)'")
        }
        self.object = object
        self.options = options
        var scanOptions = NodeScanner.Options()
        scanOptions.procRoot = options.procRoot
        scanner = NodeScanner(node: options.node, options: scanOptions)
        attacher = try Attacher(object: object, bindings: [])
        podNames = try PodNames.start(options)
        attacher.detail = { [unowned self] in self.describe($0) }
        if !options.traceServices.isEmpty { services = try ServiceTracer(object: object, options: options) }
        if podNames == nil { notes.append("no Kubernetes API (no --kubeconfig, KUBERNETES_SERVICE_HOST unset): addresses only") }
    }

    public func refresh() throws {
        let started = Date()
        let next: NodeInventory
        do {
            next = try scanner.scan()
        } catch let error as DiscoveryError {
            throw RunnerError.discovery(error.description)
        }
        scans += 1
        let took = String(format: "%.0f ms", Date().timeIntervalSince(started) * 1000)
        if let previous = inventory {
            let diff = next.diff(from: previous)
            if let nic = diff.nicChanged { notes.append("scan \(scans): the NIC is now \(nic)") }
            for vport in diff.changed { notes.append("scan \(scans): vport \(vport.interface.name) now leads to \(vport.namespace.map(\.description) ?? "an unknown namespace")") }
            if options.logsEveryScan { notes.append("scan \(scans): nic \(next.nic.interface.name), \(next.vports.count) vport(s), \(took)") }
        } else {
            notes.append("scan 1: nic \(next.nic.interface.name) (\(next.nic.reason)), \(next.vports.count) vport(s), \(took)")
        }
        for problem in next.problems where !reportedProblems.contains(problem) { notes.append("scan \(scans): \(problem)") }
        reportedProblems = Set(next.problems)
        inventory = next
        attacher.retarget([
            PointBinding(point: options.nicPoint, patterns: [next.nic.interface.name]),
            PointBinding(point: options.vportPoint, patterns: next.vports.map(\.interface.name)),
        ])
        try attacher.refresh()
        notes += attacher.takeNotes().map { "scan \(scans): \($0)" }
        try services?.refresh()
    }

    public func takeNotes() -> [String] {
        let taken = notes + (podNames?.takeNotes() ?? []) + (services?.takeNotes() ?? [])
        notes.removeAll()
        return taken
    }

    public func detachAll() {
        podNames?.stop()
        attacher.detachAll()
    }

    public func names(for packet: JoinedPacket) -> HopNames? {
        guard let podNames else { return nil }
        let atVport = [packet.first, packet.second].first { $0.point == options.vportPoint }
        return podNames.hop(packet, vportAddresses: atVport.map(addresses(at:)) ?? [])
    }

    public func pod(at event: PacketEvent) -> String? {
        guard let podNames, event.point == options.vportPoint else { return nil }
        return addresses(at: event).lazy.compactMap(podNames.pod).first
    }

    /// The pod IPs behind the vport an event was seen at.
    private func addresses(at event: PacketEvent) -> [String] {
        let vport = inventory?.vports.first { event.ifindex == UInt32(bitPattern: $0.interface.index) }
        return vport?.namespace?.addresses.map(\.address) ?? []
    }

    /// What an attach note says of the interface: why it is the NIC, or the vport's pod.
    private func describe(_ interface: NetworkInterface) -> String? {
        guard let inventory else { return nil }
        if inventory.nic.interface.index == interface.index { return inventory.nic.reason }
        guard let vport = inventory.vports.first(where: { $0.interface.index == interface.index }) else { return nil }
        guard let namespace = vport.namespace else { return "peer ifindex \(vport.peerIndex) in a namespace not found" }
        let place = namespace.names.first.map { "netns \($0)" } ?? "netns inode \(namespace.inode), pid \(namespace.pids.map(String.init).joined(separator: ","))"
        let pod = namespace.addresses.lazy.compactMap { self.podNames?.pod($0.address) }.first
        return ([place] + namespace.addresses.map(\.address) + (pod.map { ["pod \($0)"] } ?? [])).joined(separator: ", ")
    }
}
