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

/// What the join reads of an event: where and when it was seen, and the key that says which
/// packet it is (the inner 5-tuple, the TCP sequence number and the trace context's bytes). The
/// runner joins undecoded records (`RecordReader`); the join's own tests, events they make up.
public protocol JoinEvents {
    associatedtype Event
    /// The point and hook it was seen at, and when; nil for a point the spec does not have.
    func seen(_ event: Event) -> (end: PointHook, timestamp: UInt64)?
    /// The hash of its key on the hop with this index.
    func keyHash(of event: Event, hop: Int) -> Int
    /// Whether two events carry the same key.
    func sameKey(_ a: Event, _ b: Event) -> Bool
}

/// Joins the events of each hop live: the event at the hop's first point with the event at its
/// second for the same packet. Pending entries are bounded by a cap and a timeout, so memory
/// stays flat under any load; what is evicted, unmatched or ambiguous (a retransmission or
/// duplicate) is counted, never paired.
public struct Joiner<Events: JoinEvents> {
    public typealias Event = Events.Event

    /// Both ends of one packet's hop, in the hop's order.
    public struct Join {
        public var hopIndex: Int
        public var hop: String
        public var latencyNs: Int64
        public var first: Event
        public var second: Event
    }

    public struct Counters: Sendable, Codable {
        public var joined = 0
        public var evicted = 0
        public var timedOut = 0
        public var duplicates = 0
        public var unmatched = 0
    }

    /// A packet's first event on a hop, waiting for its second; `serial` tells it from a later
    /// wait of the same key in the order queue.
    private struct Pending {
        var event: Event
        var hop: Int
        var atFirstPoint: Bool
        var duplicate: Bool
        var serial: Int
        var timestamp: UInt64
    }

    public let hops: [Hop]
    public let capacity: Int
    public let timeoutNs: UInt64
    public private(set) var counters = Counters()
    private let events: Events
    /// Each hop's two ends, apart from the hops (copying a Hop per event was a tenth of the join).
    private let ends: [(from: PointHook, to: PointHook)]
    /// Waiting packets by their key's hash (the hop's index in it). A key's equality is checked
    /// when its hash is found; two waiting keys of one 64-bit hash (odds of about `capacity` in
    /// 2^64 a packet) cannot both wait, and the older is counted as evicted.
    private var waiting: [Int: Pending] = [:]
    public var pendingCount: Int { waiting.count }
    /// Joined keys, by their hash, kept a while (the newest `capacity`), so that a late duplicate
    /// is recognised instead of starting a new pair. The hash alone: 8 bytes a key, where keeping
    /// the key with its state made every remembered packet cost its key and an event's room, and
    /// a new runner's CPU went to growing that table (page faults on its fresh storage, moves into
    /// it: 40 % of its CPU per event, perf under wrk). Two keys' 64-bit hashes colliding among the
    /// remembered would count a packet as a duplicate: odds of about `capacity` in 2^64 a packet.
    private var joinedHashes: Set<Int> = []
    /// Insertion order of waiting keys, for eviction and the timeout; entries whose key no longer
    /// waits (or waits again, with another serial) are skipped when popped.
    private var order: [(hash: Int, serial: Int, timestamp: UInt64)] = []
    private var orderStart = 0
    private var nextSerial = 0
    /// Joined keys' hashes, oldest first: the oldest are forgotten past `capacity`.
    private var joinedOrder: [Int] = []
    private var joinedStart = 0

    public init(hops: [Hop], events: Events, capacity: Int = 65536, timeoutNs: UInt64 = 2_000_000_000) {
        self.hops = hops
        self.events = events
        self.capacity = capacity
        self.timeoutNs = timeoutNs
        ends = hops.map { ($0.from, $0.to) }
    }

    /// Adds one event; returns the packets it completes (one per hop at most).
    public mutating func add(_ event: Event) -> [Join] {
        guard let (here, timestamp) = events.seen(event) else { return [] }
        expire(before: timestamp)
        var joined: [Join] = []
        for index in ends.indices {
            let atFirst = here == ends[index].from
            guard atFirst || here == ends[index].to else { continue }
            let hash = events.keyHash(of: event, hop: index)
            if joinedHashes.contains(hash) {
                counters.duplicates += 1 // joined already: a late duplicate
                continue
            }
            guard let slot = waiting.index(forKey: hash) else {
                wait(event, hash: hash, hop: index, atFirst: atFirst, timestamp: timestamp)
                continue
            }
            let pending = waiting.values[slot]
            guard pending.hop == index, events.sameKey(pending.event, event) else {
                // another packet with the same hash: it waits in the older one's place
                waiting.remove(at: slot)
                counters.evicted += 1
                wait(event, hash: hash, hop: index, atFirst: atFirst, timestamp: timestamp)
                continue
            }
            if pending.atFirstPoint == atFirst {
                // The same packet seen twice at one point: a retransmission or a duplicate.
                waiting.values[slot].duplicate = true
                counters.duplicates += 1
                continue
            }
            waiting.remove(at: slot)
            remember(hash)
            if pending.duplicate {
                counters.duplicates += 1
                continue
            }
            let (first, second) = atFirst ? (event, pending.event) : (pending.event, event)
            let (firstTime, secondTime) = atFirst ? (timestamp, pending.timestamp) : (pending.timestamp, timestamp)
            counters.joined += 1
            joined.append(Join(hopIndex: index, hop: hops[index].name, latencyNs: Int64(bitPattern: secondTime &- firstTime), first: first, second: second))
        }
        compactOrder()
        return joined
    }

    private mutating func wait(_ event: Event, hash: Int, hop: Int, atFirst: Bool, timestamp: UInt64) {
        if pendingCount >= capacity { evictOldest() }
        waiting[hash] = Pending(event: event, hop: hop, atFirstPoint: atFirst, duplicate: false, serial: nextSerial, timestamp: timestamp)
        order.append((hash, nextSerial, timestamp))
        nextSerial += 1
    }

    /// Counts what is still waiting as unmatched (at exit).
    public mutating func finish() {
        counters.unmatched += pendingCount
        waiting.removeAll()
        order.removeAll()
        orderStart = 0
    }

    /// Removes the order entry's key when it still waits from that entry; true when it did.
    private mutating func dropWaiting(_ entry: (hash: Int, serial: Int, timestamp: UInt64)) -> Bool {
        guard let slot = waiting.index(forKey: entry.hash), waiting.values[slot].serial == entry.serial else { return false }
        waiting.remove(at: slot)
        return true
    }

    private mutating func expire(before now: UInt64) {
        while orderStart < order.count, now > order[orderStart].timestamp, now - order[orderStart].timestamp > timeoutNs {
            let entry = order[orderStart]
            orderStart += 1
            if dropWaiting(entry) { counters.timedOut += 1 }
        }
    }

    private mutating func evictOldest() {
        while orderStart < order.count {
            let entry = order[orderStart]
            orderStart += 1
            if dropWaiting(entry) {
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
            order = order[orderStart...].filter { waiting[$0.hash]?.serial == $0.serial }
            orderStart = 0
        }
    }
}

extension Joiner where Events == RecordReader {
    /// Takes a record from the ring (`RecordReader.record`: a record that could not be decoded is
    /// refused with the cause) and joins it. Here, not at the callers: the join compiled for
    /// records, where a caller in another module would run its generic form.
    public mutating func add(record bytes: UnsafeRawBufferPointer) throws -> [Join] {
        add(try events.record(bytes))
    }
}
