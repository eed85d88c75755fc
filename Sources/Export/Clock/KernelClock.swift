#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Converts `bpf_ktime_get_ns` timestamps (CLOCK_MONOTONIC) to wall-clock time.
///
/// The offset CLOCK_REALTIME − CLOCK_MONOTONIC is measured by reading monotonic, realtime,
/// monotonic several times and keeping the triple with the narrowest monotonic bracket: the
/// realtime reading happened somewhere inside it, so the offset's error is half its width (tens
/// of nanoseconds with the vDSO). On Linux NTP's frequency and phase slewing move both clocks
/// alike; what changes the offset is a step of the real-time clock (settime, a large NTP or PTP
/// correction, a leap second). The offset is re-measured when older than `refreshInterval`, so a
/// step is reflected within that interval; until then conversions are off by the step.
/// A hop's duration never depends on the offset: it is the difference of two kernel timestamps.
public final class KernelClock: @unchecked Sendable {
    public let refreshInterval: Duration
    public let samples: Int
    private let lock = NSLock()
    private var current: ClockOffset

    public init(refreshInterval: Duration = .seconds(1), samples: Int = 16) {
        self.refreshInterval = refreshInterval
        self.samples = samples
        self.current = Self.measure(samples: samples)
    }

    /// The offset, re-measured first when it is older than `refreshInterval`.
    public func offset() -> ClockOffset {
        let now = Self.monotonicNs()
        lock.lock()
        defer { lock.unlock() }
        if now &- current.measuredAtMonotonicNs >= refreshInterval.nanoseconds { current = Self.measure(samples: samples) }
        return current
    }

    /// Nanoseconds since the Unix epoch for a monotonic timestamp.
    public func wallClockNs(monotonicNs: UInt64) -> UInt64 {
        offset().wallClockNs(monotonicNs: monotonicNs)
    }

    /// Measures the offset now: the narrowest of `samples` monotonic brackets around a realtime read.
    public static func measure(samples: Int) -> ClockOffset {
        precondition(samples > 0, "a clock offset needs at least one sample")
        var best: ClockOffset?
        var bestWidth = UInt64.max
        for _ in 0..<samples {
            let before = monotonicNs()
            let real = read(CLOCK_REALTIME)
            let after = monotonicNs()
            let width = after &- before
            if width < bestWidth {
                bestWidth = width
                let middle = before + width / 2
                best = ClockOffset(realtimeMinusMonotonicNs: Int64(bitPattern: real) &- Int64(bitPattern: middle),
                                   errorNs: (width + 1) / 2, measuredAtMonotonicNs: after)
            }
        }
        return best!
    }

    public static func monotonicNs() -> UInt64 { read(CLOCK_MONOTONIC) }

    public static func realtimeNs() -> UInt64 { read(CLOCK_REALTIME) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var spec = timespec()
        // Cannot fail for these two clocks with a valid pointer.
        clock_gettime(clock, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
