extension TracingPoint: SpecComponent {
    /// A tracing point and the tc hooks the program attaches to there.
    ///
    /// ```swift
    /// TracingPoint("nic", hooks: .ingress, .egress)
    /// ```
    public init(_ name: String, hooks: Hook..., line: Int = #line) {
        self.init(name: name, hooks: hooks, line: line)
    }

    public func apply(to spec: inout SpecIR) {
        spec.points.append(self)
    }
}

extension Hop: SpecComponent {
    /// A hop from one point's hook to another's.
    ///
    /// ```swift
    /// Hop("rx", from: .ingress(of: "nic"), to: .egress(of: "vport"))
    /// ```
    public init(_ name: String, from: PointHook, to: PointHook, line: Int = #line) {
        self.init(name: name, from: from, to: to, line: line)
    }

    public func apply(to spec: inout SpecIR) {
        spec.hops.append(self)
    }
}

extension PointHook {
    public static func ingress(of point: String) -> PointHook { PointHook(point: point, hook: .ingress) }
    public static func egress(of point: String) -> PointHook { PointHook(point: point, hook: .egress) }
}

extension TargetProfile: SpecComponent {
    /// The budgets and the loop profile generated code must respect.
    ///
    /// ```swift
    /// Target(instructionBudget: 4096, profile: .loops)
    /// ```
    public func apply(to spec: inout SpecIR) {
        spec.target = self
    }
}

public func Target(
    instructionBudget: Int = 4096, complexityBudget: Int = 1_000_000, profile: LoopProfile = .unrolled, line: Int = #line
) -> TargetProfile {
    TargetProfile(instructionBudget: instructionBudget, complexityBudget: complexityBudget, profile: profile, line: line)
}
