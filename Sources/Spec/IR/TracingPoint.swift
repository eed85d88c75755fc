/// A named place in the datapath where the generated program is attached (a NIC, a pod's vport).
public struct TracingPoint: Codable, Hashable, Sendable {
    public var name: String
    public var hooks: [Hook]
    public var line: Int?

    public init(name: String, hooks: [Hook], line: Int? = nil) {
        self.name = name
        self.hooks = hooks
        self.line = line
    }
}

/// A tc hook: ingress or egress of the interface.
public enum Hook: String, Codable, Hashable, Sendable, CaseIterable {
    case ingress, egress
}

public struct PointHook: Codable, Hashable, Sendable, CustomStringConvertible {
    public var point: String
    public var hook: Hook

    public init(point: String, hook: Hook) {
        self.point = point
        self.hook = hook
    }

    public var description: String { "\(point) \(hook.rawValue)" }
}

/// A hop pairs the observation of a packet at one tracing point with its observation at the next;
/// its latency is the difference of the two timestamps.
public struct Hop: Codable, Hashable, Sendable {
    public var name: String
    public var from: PointHook
    public var to: PointHook
    public var line: Int?

    public init(name: String, from: PointHook, to: PointHook, line: Int? = nil) {
        self.name = name
        self.from = from
        self.to = to
        self.line = line
    }
}
