import Spec
import TraceContexts

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
/// second for the same packet (inner 5-tuple, TCP sequence number and the trace context's bytes). Pending
/// entries are bounded by a cap and a timeout, so memory stays flat under any load; what is
/// evicted, unmatched or ambiguous (a retransmission or duplicate) is counted, never paired.
public struct Joiner {
    /// The trace context a join keys on: the found headers' names and copied bytes, the event's
    /// own array (no copy, no text made of it).
    public struct ContextKey: Hashable {
        let headers: [ObservedHeader]

        public static func == (a: ContextKey, b: ContextKey) -> Bool {
            a.headers.count == b.headers.count && zip(a.headers, b.headers).allSatisfy { $0.name == $1.name && $0.bytes == $1.bytes }
        }

        public func hash(into hasher: inout Hasher) {
            for header in headers {
                hasher.combine(header.name)
                header.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
                hasher.combine(header.bytes.count)
            }
        }
    }

    public struct Key: Hashable {
        var hop: Int
        var inner: FiveTuple?
        var sequence: UInt64?
        var context: ContextKey
        /// Hashed once per event: the key is looked up and then stored or changed in place, and
        /// queued for eviction; once joined, the hash alone is remembered.
        let hash: Int

        init(hop: Int, inner: FiveTuple?, sequence: UInt64?, context: ContextKey) {
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
    /// Each hop's two ends, apart from the hops (copying a Hop per event was a tenth of the join).
    private let ends: [(from: PointHook, to: PointHook)]
    /// Keys waiting for their second event, with their first.
    private var waiting: [Key: Pending] = [:]
    public var pendingCount: Int { waiting.count }
    /// Joined keys, by their hash, kept a while (the newest `capacity`), so that a late duplicate
    /// is recognised instead of starting a new pair. The hash alone: 8 bytes a key, where keeping
    /// the key with its state made every remembered packet cost its key and an event's room, and
    /// a new runner's CPU went to growing that table (page faults on its fresh storage, moves into
    /// it: 40 % of its CPU per event, perf under wrk). Two keys' 64-bit hashes colliding among the
    /// remembered would count a packet as a duplicate: odds of about `capacity` in 2^64 a packet.
    private var joinedHashes: Set<Int> = []
    /// Insertion order of waiting keys, for eviction and the timeout; keys no longer waiting are
    /// skipped when popped.
    private var order: [(key: Key, timestamp: UInt64)] = []
    private var orderStart = 0
    /// Joined keys' hashes, oldest first: the oldest are forgotten past `capacity`.
    private var joinedOrder: [Int] = []
    private var joinedStart = 0

    public init(hops: [Hop], capacity: Int = 65536, timeoutNs: UInt64 = 2_000_000_000) {
        self.hops = hops
        self.capacity = capacity
        self.timeoutNs = timeoutNs
        ends = hops.map { ($0.from, $0.to) }
    }

    /// Adds one event; returns the packets it completes (one per hop at most).
    public mutating func add(_ event: PacketEvent) -> [JoinedPacket] {
        guard let point = event.point, let hook = event.hook, let timestamp = event.timestamp else { return [] }
        expire(before: timestamp)
        var joined: [JoinedPacket] = []
        let here = PointHook(point: point, hook: hook)
        for index in ends.indices {
            let atFirst = here == ends[index].from
            guard atFirst || here == ends[index].to else { continue }
            let key = Key(hop: index, inner: event.inner, sequence: event.sequence, context: ContextKey(headers: event.observedHeaders))
            if joinedHashes.contains(key.hash) {
                counters.duplicates += 1 // joined already: a late duplicate
                continue
            }
            guard let slot = waiting.index(forKey: key) else {
                if pendingCount >= capacity { evictOldest() }
                waiting[key] = Pending(event: event, atFirstPoint: atFirst, duplicate: false)
                order.append((key, timestamp))
                continue
            }
            if waiting.values[slot].atFirstPoint == atFirst {
                // The same packet seen twice at one point: a retransmission or a duplicate.
                waiting.values[slot].duplicate = true
                counters.duplicates += 1
                continue
            }
            let pending = waiting.remove(at: slot).value
            remember(key.hash)
            if pending.duplicate {
                counters.duplicates += 1
                continue
            }
            let (first, second) = atFirst ? (event, pending.event) : (pending.event, event)
            let latency = Int64(bitPattern: (second.timestamp ?? 0) &- (first.timestamp ?? 0))
            counters.joined += 1
            joined.append(JoinedPacket(hop: hops[index].name, latencyNs: latency, first: first, second: second, names: nil))
        }
        compactOrder()
        return joined
    }

    /// Counts what is still waiting as unmatched (at exit).
    public mutating func finish() {
        counters.unmatched += pendingCount
        waiting.removeAll()
        order.removeAll()
        orderStart = 0
    }

    /// Removes `key` when it is still waiting; true when it was.
    private mutating func dropWaiting(_ key: Key) -> Bool {
        waiting.removeValue(forKey: key) != nil
    }

    private mutating func expire(before now: UInt64) {
        while orderStart < order.count, now > order[orderStart].timestamp, now - order[orderStart].timestamp > timeoutNs {
            let key = order[orderStart].key
            orderStart += 1
            if dropWaiting(key) { counters.timedOut += 1 }
        }
    }

    private mutating func evictOldest() {
        while orderStart < order.count {
            let key = order[orderStart].key
            orderStart += 1
            if dropWaiting(key) {
                counters.evicted += 1
                return
            }
        }
    }

    private mutating func remember(_ hash: Int) {
        joinedHashes.insert(hash)
        joinedOrder.append(hash)
        if joinedOrder.count - joinedStart > capacity {
            joinedHashes.remove(joinedOrder[joinedStart])
            joinedStart += 1
        }
        if joinedStart > 1024 && joinedStart * 2 > joinedOrder.count {
            joinedOrder.removeFirst(joinedStart)
            joinedStart = 0
        }
    }

    /// Drops consumed and no-longer-waiting slots of the order queue now and then, so it stays
    /// proportional to what is waiting.
    private mutating func compactOrder() {
        if orderStart > 1024 && orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
        if order.count > 4 * Swift.max(capacity, 1024) {
            order = order[orderStart...].filter { waiting[$0.key] != nil }
            orderStart = 0
        }
    }
}
