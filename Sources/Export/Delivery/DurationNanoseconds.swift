extension Duration {
    /// Whole nanoseconds, for comparing with clock readings; negative durations count as zero.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    var timeInterval: Double { Double(nanoseconds) / 1e9 }
}
