import Discovery
import Foundation

/// Names from the Kubernetes API for the runner: `ClusterNames` started with the options'
/// credentials, what its watches do turned into notes (lists, failures; not every pod event).
final class PodNames: @unchecked Sendable {
    let names: ClusterNames
    private let queue: NoteQueue

    /// Nil without credentials (no --kubeconfig, KUBERNETES_SERVICE_HOST unset): addresses only.
    static func start(_ options: DiscoveryOptions) throws -> PodNames? {
        let credentials: KubernetesCredentials?
        do {
            credentials = try options.credentials()
        } catch {
            throw RunnerError.usage("\(error)")
        }
        guard let credentials else { return nil }
        guard let node = options.nodeName else {
            throw RunnerError.usage("naming pods needs this node's Kubernetes name: --node-name NAME (the DaemonSet passes $(NODE_NAME))")
        }
        let client: KubernetesClient
        do {
            client = try KubernetesClient(credentials: credentials)
        } catch {
            throw RunnerError.usage("\(error)")
        }
        let names = PodNames(client: client, node: node)
        names.note("kubernetes: naming pods of node \(node) and Services from \(credentials.server.absoluteString)")
        names.names.start()
        return names
    }

    private init(client: KubernetesClient, node: String) {
        let queue = NoteQueue()
        self.queue = queue
        names = ClusterNames(client: client, nodeName: node) { kind, activity in
            switch activity {
            case .listed(let count, _): queue.append("kubernetes: \(kind) listed (\(count))")
            case .failed(let why, let delay): queue.append("kubernetes: \(kind): \(why); retrying in \(delay) s")
            case .expired: queue.append("kubernetes: \(kind) watch expired; listing again")
            case .added, .modified, .deleted, .bookmark, .closed: break
            }
        }
    }

    private func note(_ text: String) { queue.append(text) }

    /// Notes since the last call; the watches add theirs from their own threads.
    func takeNotes() -> [String] { queue.take() }

    func stop() { names.stop() }

    func pod(_ ip: String) -> String? { names.pod(forIP: ip)?.description }

    /// The names of a packet's inner addresses, and of the pod whose addresses `vport` lists.
    func hop(_ packet: JoinedPacket, vportAddresses: [String]) -> HopNames {
        let inner = packet.first.inner
        return HopNames(
            sourcePod: inner.flatMap { pod($0.source) },
            destinationPod: inner.flatMap { pod($0.destination) },
            sourceServices: inner.map { names.services(forIP: $0.source).map(\.description) } ?? [],
            destinationServices: inner.map { names.services(forIP: $0.destination).map(\.description) } ?? [],
            vportPod: vportAddresses.lazy.compactMap(pod).first
        )
    }
}

/// Notes written by one thread and taken by another.
private final class NoteQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [String] = []

    func append(_ note: String) { lock.withLock { pending.append(note) } }

    func take() -> [String] {
        lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
    }
}
