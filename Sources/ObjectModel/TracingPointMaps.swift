/// How an event's tracing point is found from the packet's ifindex, in two maps the runner fills as
/// it attaches: `mt_points_direct`, an array for ifindexes below `directLimit` (a load the
/// verifier inlines, where a hash lookup cost the event path ~7 %), holding the point's index + 1
/// (0: no point); `mt_points`, a hash for the ifindexes above it (they only grow on a node whose pods
/// come and go), holding the index.
public enum TracingPointMaps {
    public static let directLimit = 16384
    public static let hashEntries = 4096
    /// The event's point when the ifindex has none (a spec has at most
    /// `SpecValidator.maxTracingPoints`, so index + 1 fits the array's byte too).
    public static let unknown: UInt8 = 0xff
}
