extension SpecValidator {
    /// An event carries its tracing point's index in one byte, 0xff meaning none, and the runner's
    /// array of points holds the index + 1.
    public static let maxTracingPoints = 254

    mutating func checkPoints() {
        if ir.points.isEmpty {
            report(ir.line, "spec '\(ir.name)' has no TracingPoint")
        }
        if ir.points.count > Self.maxTracingPoints {
            report(ir.line, "spec '\(ir.name)' has \(ir.points.count) tracing points; an event names its point in one byte: at most \(Self.maxTracingPoints)")
        }
        checkUnique(ir.points, kind: "tracing point", name: \.name, line: \.line)
        for point in ir.points where point.hooks.isEmpty {
            report(point.line, "tracing point '\(point.name)' has no hooks")
        }
        checkUnique(ir.hops, kind: "hop", name: \.name, line: \.line)
        for hop in ir.hops {
            for end in [hop.from, hop.to] {
                guard let point = ir.points.first(where: { $0.name == end.point }) else {
                    let known = ir.points.map(\.name).joined(separator: ", ")
                    report(hop.line, "hop '\(hop.name)' names unknown tracing point '\(end.point)' (known: \(known))")
                    continue
                }
                if !point.hooks.contains(end.hook) {
                    report(hop.line, "hop '\(hop.name)' uses \(end), but point '\(point.name)' has no \(end.hook.rawValue) hook")
                }
            }
            if hop.from == hop.to {
                report(hop.line, "hop '\(hop.name)' starts and ends at \(hop.from)")
            }
        }
    }

    mutating func checkTarget() {
        let target = ir.target
        if !TargetProfile.instructionBudgetRange.contains(target.instructionBudget) {
            report(target.line, "instruction budget \(target.instructionBudget) is out of range \(TargetProfile.instructionBudgetRange.lowerBound)...\(TargetProfile.instructionBudgetRange.upperBound)")
        }
        if target.complexityBudget < target.instructionBudget {
            report(target.line, "complexity budget \(target.complexityBudget) is below the instruction budget \(target.instructionBudget)")
        }
    }
}
