import Spec

/// A packet observed at both ends of a hop.
public struct JoinedPacket: Sendable {
    public var hop: String
    public var latencyNs: Int64
    public var first: PacketEvent
    public var second: PacketEvent
    /// Pod and Service names for its addresses, where the runner knows them (`--discover` with
    /// an API server); records, metrics and spans read them from here.
    public var names: HopNames?
}

/// Joins the events of each hop live: the event at the hop's first point with the event at its
/// second for the same packet (inner 5-tuple, TCP sequence number and trace context). Pending
/// entries are bounded by a cap and a timeout, so memory stays flat under any load; what is
/// evicted, unmatched or ambiguous (a retransmission or duplicate) is counted, never paired.
public struct Joiner {
    public struct Key: Hashable {
        var hop: Int
        var inner: FiveTuple?
        var sequence: UInt64?
        var context: [String: String]
        /// Hashed once per event: the key is looked up three or four times (recent, pending, its
        /// insert or removal, remember), and hashing the context's dictionary is most of it.
        private let hash: Int

        init(hop: Int, inner: FiveTuple?, sequence: UInt64?, context: [String: String]) {
            self.hop = hop
            self.inner = inner
            self.sequence = sequence
            self.context = context
            var hasher = Hasher()
            hasher.combine(hop)
            hasher.combine(inner)
            hasher.combine(sequence)
            hasher.combine(context)
            hash = hasher.finalize()
        }

        public static func == (a: Key, b: Key) -> Bool {
            a.hash == b.hash && a.hop == b.hop && a.sequence == b.sequence && a.inner == b.inner && a.context == b.context
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    public struct Counters: Sendable, Codable {
        public var joined = 0
        public var evicted = 0
        public var timedOut = 0
        public var duplicates = 0
        public var unmatched = 0
    }

    private struct Pending {
        var event: PacketEvent
        var atFirstPoint: Bool
        var duplicate: Bool
    }

    public let hops: [Hop]
    public let capacity: Int
    public let timeoutNs: UInt64
    public private(set) var counters = Counters()
    private var pending: [Key: Pending] = [:]
    /// Insertion order for eviction; stale keys (already joined) are skipped when popped.
    private var order: [(key: Key, timestamp: UInt64)] = []
    private var orderStart = 0
    /// Keys joined recently, to recognise a late duplicate instead of starting a new pair.
    private var recent: Set<Key> = []
    private var recentOrder: [Key] = []
    private var recentStart = 0

    public init(hops: [Hop], capacity: Int = 65536, timeoutNs: UInt64 = 2_000_000_000) {
        self.hops = hops
        self.capacity = capacity
        self.timeoutNs = timeoutNs
    }

    public var pendingCount: Int { pending.count }

    /// Adds one event; returns the packets it completes (one per hop at most).
    public mutating func add(_ event: PacketEvent) -> [JoinedPacket] {
        guard let point = event.point, let hook = event.hook, let timestamp = event.timestamp else { return [] }
        expire(before: timestamp)
        var joined: [JoinedPacket] = []
        for (index, hop) in hops.enumerated() {
            let here = PointHook(point: point, hook: hook)
            let atFirst = here == hop.from
            guard atFirst || here == hop.to else { continue }
            let key = Key(hop: index, inner: event.inner, sequence: event.sequence, context: event.contextValues)
            if recent.contains(key) {
                counters.duplicates += 1
                continue
            }
            if var waiting = pending[key] {
                if waiting.atFirstPoint == atFirst {
                    // The same packet seen twice at one point: a retransmission or a duplicate.
                    waiting.duplicate = true
                    pending[key] = waiting
                    counters.duplicates += 1
                    continue
                }
                pending[key] = nil
                remember(key)
                if waiting.duplicate {
                    counters.duplicates += 1
                    continue
                }
                let (first, second) = atFirst ? (event, waiting.event) : (waiting.event, event)
                let latency = Int64(bitPattern: (second.timestamp ?? 0) &- (first.timestamp ?? 0))
                counters.joined += 1
                joined.append(JoinedPacket(hop: hop.name, latencyNs: latency, first: first, second: second, names: nil))
            } else {
                if pending.count >= capacity { evictOldest() }
                pending[key] = Pending(event: event, atFirstPoint: atFirst, duplicate: false)
                order.append((key, timestamp))
            }
        }
        compactOrder()
        return joined
    }

    /// Counts what is still waiting as unmatched (at exit).
    public mutating func finish() {
        counters.unmatched += pending.count
        pending.removeAll()
        order.removeAll()
        orderStart = 0
    }

    private mutating func expire(before now: UInt64) {
        while orderStart < order.count, now > order[orderStart].timestamp, now - order[orderStart].timestamp > timeoutNs {
            let key = order[orderStart].key
            orderStart += 1
            if pending.removeValue(forKey: key) != nil { counters.timedOut += 1 }
        }
    }

    private mutating func evictOldest() {
        while orderStart < order.count {
            let key = order[orderStart].key
            orderStart += 1
            if pending.removeValue(forKey: key) != nil {
                counters.evicted += 1
                return
            }
        }
    }

    private mutating func remember(_ key: Key) {
        if recent.insert(key).inserted { recentOrder.append(key) }
        if recentOrder.count - recentStart > capacity {
            recent.remove(recentOrder[recentStart])
            recentStart += 1
        }
        if recentStart > 1024 && recentStart * 2 > recentOrder.count {
            recentOrder.removeFirst(recentStart)
            recentStart = 0
        }
    }

    /// Drops consumed and already-joined slots of the order queue now and then, so it stays
    /// proportional to what is pending.
    private mutating func compactOrder() {
        if orderStart > 1024 && orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
        if order.count > 4 * Swift.max(capacity, 1024) {
            order = order[orderStart...].filter { pending[$0.key] != nil }
            orderStart = 0
        }
    }
}
