import ObjectModel

extension KernelCounter {
    /// `enum mt_counter`, generated from the Swift list so the runner and the kernel side cannot disagree.
    static func emitEnum(into out: inout SourceBuilder) {
        out.line("/* Counters in mt_counters, by index (KernelCounter in Swift). */")
        out.block("enum mt_counter", trailer: ";") { out in
            for counter in allCases { out.line("\(counter.cName) = \(counter.rawValue),") }
            out.line("MT_COUNTERS = \(allCases.count),")
        }
    }
}
