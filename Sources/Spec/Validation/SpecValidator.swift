/// Checks a spec's IR for every mistake the code generator must not see. Each diagnostic
/// carries the spec line it is about; the caller adds the file.
public struct SpecValidator {
    let ir: SpecIR
    let graph: ParserGraphAnalysis
    private(set) var diagnostics: [SpecDiagnostic] = []

    public static func validate(_ ir: SpecIR) -> [SpecDiagnostic] {
        var validator = SpecValidator(ir: ir)
        validator.run()
        return validator.diagnostics
    }

    init(ir: SpecIR) {
        self.ir = ir
        self.graph = ParserGraphAnalysis(ir.parser)
    }

    mutating func report(_ line: Int?, _ message: String) {
        diagnostics.append(SpecDiagnostic(line: line ?? ir.line, message))
    }

    mutating func run() {
        diagnostics += ir.diagnostics
        if ir.schemaVersion != SpecIR.currentSchemaVersion {
            report(ir.line, "spec IR has schema version \(ir.schemaVersion), this meshtrace reads version \(SpecIR.currentSchemaVersion)")
        }
        checkHeaders()
        checkParser()
        checkL7()
        checkRecord()
        checkMaps()
        checkTables()
        checkPoints()
        checkTarget()
        diagnostics = diagnostics.enumerated()
            .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            .map(\.element)
    }

    /// Reports every name in `items` that an earlier item already used.
    mutating func checkUnique<T>(_ items: [T], kind: String, name: (T) -> String, line: (T) -> Int?) {
        var seen: [String: Int?] = [:]
        for item in items {
            let key = name(item)
            if let first = seen[key] {
                let earlier = first.map { " (first declared at line \($0))" } ?? ""
                report(line(item), "duplicate \(kind) name '\(key)'\(earlier)")
            } else {
                seen[key] = line(item)
            }
        }
    }

    /// Resolves a field reference, reporting what is wrong with it.
    mutating func resolve(_ ref: FieldRef, line: Int?, usage: String) -> HeaderField? {
        guard let header = ir.header(named: ref.header) else {
            report(line, "\(usage) names unknown header '\(ref.header)' (no state extracts it)")
            return nil
        }
        guard let field = header.field(named: ref.field) else {
            let known = header.fields.map(\.name).joined(separator: ", ")
            report(line, "\(usage) names unknown field '\(ref)': header '\(header.name)' has \(known)")
            return nil
        }
        return field
    }

    /// Reports a header that some path to `state` does not extract.
    mutating func requireExtracted(_ header: String, before state: String, line: Int?, usage: String) {
        if let path = graph.path(to: state, avoiding: header) {
            let target = state == ParserGraph.accept ? "the search" : "state '\(state)'"
            report(line, "\(usage) needs header '\(header)', which is not extracted on every path to \(target): \(path.joined(separator: " → ")) does not extract it")
        }
    }
}
