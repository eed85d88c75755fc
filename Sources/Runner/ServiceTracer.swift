import Discovery
import Foundation
import Spec

/// `--trace-service ns/svc:port`: only the named Services' traffic is traced. kube-proxy's NAT
/// (`NATWatcher`) says where each Service port goes; the spec's table keyed on the inner
/// destination address and port gets a `trace` entry for the ClusterIP:port (what a client's
/// packet carries before kube-proxy's DNAT, at its vport) and for every pod endpoint (after it,
/// and on the endpoint's node), and `skip` as its default. Each refresh reads the rules again
/// and moves the entries with them, without recompiling.
final class ServiceTracer {
    let object: LoadedObject
    let table: MatchActionTable
    let selectors: [String]
    private let watcher: NATWatcher
    private var installed: Set<TableEntry> = []
    private var traced: [String: [ServiceEndpoints]] = [:]
    private var notes: [String] = []

    init(object: LoadedObject, options: DiscoveryOptions) throws {
        let spec = object.manifest.spec
        let wanted: Set<PacketField> = [.inner(.destinationAddress), .inner(.destinationPort)]
        guard let index = spec.tables.firstIndex(where: { Set($0.keys.map(\.field)) == wanted && $0.keys.count == 2 }) else {
            throw RunnerError.usage(
                "--trace-service needs a table keyed on the inner destination address and port, e.g. "
                    + "Table(\"trace_filter\", keys: .exact(.inner(.destinationAddress)), .exact(.inner(.destinationPort))); "
                    + "spec \(spec.name) has \(spec.tables.isEmpty ? "no table" : spec.tables.map { "\($0.name) (\($0.keys.map(\.field.description).joined(separator: ", ")))" }.joined(separator: ", "))"
            )
        }
        let table = spec.tables[index]
        guard !options.userTables.contains(table.name) else {
            throw RunnerError.usage("--trace-service fills table \(table.name); leave it out of --table, --table-file and --table-default")
        }
        self.object = object
        self.table = table
        self.selectors = options.traceServices
        let namespace: String? = if case .named(let name) = options.node { name } else { nil }
        watcher = NATWatcher(source: options.kubeProxyMode == .iptables ? .iptables(namespace: namespace) : .nftables(namespace: namespace))
        // Nothing but the Services' traffic: what no entry matches is skipped.
        try TableFiller.setDefault(.skip, ofTable: index, in: object)
        try refresh(first: true)
    }

    /// Reads kube-proxy's rules; when they changed, installs the entries now due and removes stale ones.
    /// A failed read after the first keeps the entries (an iptables lock held by kube-proxy is no reason to stop tracing).
    func refresh(first: Bool = false) throws {
        let change: NATWatcher.Change?
        do {
            change = try watcher.poll()
        } catch {
            if first { throw RunnerError.usage("--trace-service: cannot read kube-proxy's Service NAT: \(error)") }
            notes.append("trace-service: cannot read kube-proxy's Service NAT (entries kept): \(error)")
            return
        }
        guard let change else { return }
        var due: Set<TableEntry> = []
        for selector in selectors {
            let ports: [ServiceEndpoints]
            do {
                ports = try change.map.lookup(selector)
            } catch {
                if first { throw RunnerError.usage("--trace-service \(selector): \(error)") }
                if traced[selector] != nil { notes.append("trace-service \(selector): gone from kube-proxy's rules; not traced until it is back") }
                traced[selector] = nil
                continue
            }
            if traced[selector] != ports {
                notes.append("trace-service \(selector): " + ports.map { "\($0.clusterIP) -> [\($0.endpoints.map(\.description).joined(separator: ", "))]" }.joined(separator: "; "))
            }
            traced[selector] = ports
            for port in ports {
                due.insert(entry(port.clusterIP.ip, port.clusterIP.port))
                for endpoint in port.endpoints { due.insert(entry(endpoint.ip, endpoint.port)) }
            }
        }
        let stale = installed.subtracting(due), fresh = due.subtracting(installed)
        try TableFiller.remove(Array(stale), from: object)
        try TableFiller.add(Array(fresh), to: object)
        installed = due
        if !stale.isEmpty || !fresh.isEmpty {
            notes.append("trace-service: table \(table.name) now holds \(due.count) entr\(due.count == 1 ? "y" : "ies") (+\(fresh.count), -\(stale.count))")
        }
    }

    func takeNotes() -> [String] {
        defer { notes.removeAll() }
        return notes
    }

    /// A `trace` entry for ADDRESS:PORT, its keys in the table's order.
    private func entry(_ address: String, _ port: Int) -> TableEntry {
        let keys = table.keys.map { $0.field == .inner(.destinationAddress) ? address : String(port) }
        return TableEntry(table: table.name, keys: keys, action: .trace)
    }
}
