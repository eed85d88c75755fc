/// CLOCK_REALTIME − CLOCK_MONOTONIC at one measurement, with its error bound.
public struct ClockOffset: Sendable, Hashable {
    /// Add to a monotonic timestamp to get nanoseconds since the Unix epoch.
    public let realtimeMinusMonotonicNs: Int64
    /// Half the narrowest monotonic interval that bracketed a realtime reading: the true offset at
    /// the measurement lies within ±errorNs of `realtimeMinusMonotonicNs`.
    public let errorNs: UInt64
    /// When it was measured, in monotonic nanoseconds.
    public let measuredAtMonotonicNs: UInt64

    init(realtimeMinusMonotonicNs: Int64, errorNs: UInt64, measuredAtMonotonicNs: UInt64) {
        self.realtimeMinusMonotonicNs = realtimeMinusMonotonicNs
        self.errorNs = errorNs
        self.measuredAtMonotonicNs = measuredAtMonotonicNs
    }

    /// Wall-clock nanoseconds since the Unix epoch for a monotonic timestamp.
    public func wallClockNs(monotonicNs: UInt64) -> UInt64 {
        UInt64(bitPattern: Int64(bitPattern: monotonicNs) &+ realtimeMinusMonotonicNs)
    }
}
