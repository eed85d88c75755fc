import BPF
import Foundation
import Spec

/// Runs frames through a loaded object's entry program with BPF_PROG_TEST_RUN (the real kernel,
/// no interface) and collects the events they produce: for tests, fuzzing and `--replay`.
public final class FrameRunner {
    /// The largest frame BPF_PROG_TEST_RUN accepts for tc programs: a page less the skb's head and tail room.
    public static let maxFrameBytes = 3392

    public let object: LoadedObject
    public let decoder: EventDecoder
    private var ring: RingBuffer!
    private var collected: [[UInt8]] = []

    /// `point` is the tracing point events are stamped with (test runs have no real interface).
    public init(object: LoadedObject, point: String? = nil) throws {
        self.object = object
        self.decoder = EventDecoder(spec: object.manifest.spec, layout: object.layout)
        ring = try RingBuffer(map: object.maps.events) { [unowned self] bytes in self.collected.append(Array(bytes)) }
        let points = object.manifest.spec.points
        if let index = points.firstIndex(where: { $0.name == (point ?? points.first?.name) }) {
            // BPF_PROG_TEST_RUN hands the program an skb on the loopback device (ifindex 1).
            try object.maps.points.set(ifindex: 1, point: index)
        }
    }

    /// The raw event records `frame` produced at `hook`, in order.
    public func rawEvents(for frame: [UInt8], hook: Hook = .ingress, ifindex: UInt32? = nil) throws -> [[UInt8]] {
        _ = drain()
        try run(frame, hook: hook, ifindex: ifindex)
        return drain()
    }

    /// Runs `frame` without consuming the ring buffer (its records wait for `drain`); on the
    /// loopback device, or on device `ifindex` of the calling thread's network namespace.
    public func run(_ frame: [UInt8], hook: Hook = .ingress, ifindex: UInt32? = nil) throws {
        let verdict = try object.programs.entry(for: hook).testRun(frame: frame, ifindex: ifindex)
        guard verdict.returnValue == 0 else {
            throw RunnerError.object(path: object.manifest.spec.name, reason: "the entry program returned \(verdict.returnValue), not TC_ACT_OK")
        }
    }

    /// Consumes every record waiting in the ring buffer.
    public func drain() -> [[UInt8]] {
        collected.removeAll()
        ring.poll(timeoutMs: 0)
        defer { collected.removeAll() }
        return collected
    }

    /// The decoded events `frame` produced at `hook` (on device `ifindex`, as `run`).
    public func events(for frame: [UInt8], hook: Hook = .ingress, ifindex: UInt32? = nil) throws -> [PacketEvent] {
        try rawEvents(for: frame, hook: hook, ifindex: ifindex).map { raw in try raw.withUnsafeBytes { try decoder.decode($0) } }
    }

    /// Mean nanoseconds per run of the entry program over `count` (at least 2) repetitions, tail
    /// calls included (`BPFProgram.nanosecondsPerRun`); the ring must hold `count + 1` events.
    public func nanosecondsPerRun(_ frame: [UInt8], repeat count: Int, hook: Hook = .ingress) throws -> Double {
        let timed = try object.programs.entry(for: hook).nanosecondsPerRun(frame: frame, repeat: count)
        _ = drain()
        return timed.ns
    }
}
