import Foundation
import Subprocess

/// Keeps the Service NAT map current by reading kube-proxy's rules again every `interval`
/// seconds (kube-proxy rewrites them with iptables-restore; there is no event to wait on), and
/// reports each change.
public final class NATWatcher: @unchecked Sendable {
    public struct Change: Sendable {
        public var map: ServiceNATMap
        /// Service ports that appeared, or whose endpoints changed.
        public var updated: [ServiceEndpoints]
        /// Service ports that are gone.
        public var removed: [ClusterIPPort]
    }

    /// Where the rules come from, read and parsed.
    public struct Source: Sendable {
        public let read: @Sendable () throws -> ServiceNATMap

        public init(read: @escaping @Sendable () throws -> ServiceNATMap) { self.read = read }

        /// kube-proxy in iptables mode: `iptables-save -t nat`, here or in a named namespace.
        /// `program` must use kube-proxy's backend: `iptables-nft-save` and `iptables-legacy-save`
        /// see different tables, and `iptables-save` is whichever the image's alternatives select.
        public static func iptables(namespace: String? = nil, program: String = "iptables-save") -> Source {
            Source {
                try KubeProxyNAT.parse(iptablesSave: try run([program, "-t", "nat"], in: namespace))
            }
        }

        /// kube-proxy in nftables mode: `nft -j list table ip kube-proxy`.
        public static func nftables(namespace: String? = nil) -> Source {
            Source {
                try KubeProxyNFT.parse(nftJSON: try run(["nft", "-j", "list", "table", "ip", "kube-proxy"], in: namespace))
            }
        }

        private static func run(_ arguments: [String], in namespace: String?) throws -> String {
            guard let namespace else { return try Command.run(arguments).check().stdout }
            return try Command.run(["ip", "netns", "exec", namespace, try ProgramLookup.path(arguments[0])] + arguments.dropFirst()).check().stdout
        }
    }

    public let interval: TimeInterval
    private let source: Source
    private let lock = NSLock()
    private var current = ServiceNATMap()
    private var stopped = false

    public init(interval: TimeInterval = 2, source: Source = .iptables()) {
        self.interval = interval
        self.source = source
    }

    public var map: ServiceNATMap { lock.withLock { current } }

    /// Reads the rules once; the change, or nil when nothing changed.
    public func poll() throws -> Change? {
        let next = try source.read()
        return lock.withLock {
            let updated = next.services.values.filter { current.services[$0.clusterIP] != $0 }.sorted { $0.clusterIP.description < $1.clusterIP.description }
            let removed = current.services.keys.filter { next.services[$0] == nil }.sorted { $0.description < $1.description }
            current = next
            return updated.isEmpty && removed.isEmpty ? nil : Change(map: next, updated: updated, removed: removed)
        }
    }

    /// Polls on a thread of its own until `stop()`; `onError` gets each failed read (the map is
    /// kept as it was: a transient iptables lock is no reason to forget the endpoints).
    public func start(onChange: @escaping @Sendable (Change) -> Void, onError: @escaping @Sendable (Error) -> Void) {
        let thread = Thread { [self] in
            while !lock.withLock({ stopped }) {
                do {
                    if let change = try poll() { onChange(change) }
                } catch {
                    onError(error)
                }
                Thread.sleep(forTimeInterval: interval)
            }
        }
        thread.name = "meshtrace-nat-watcher"
        thread.start()
    }

    public func stop() { lock.withLock { stopped = true } }
}
