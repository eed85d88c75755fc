extension SpecIR {
    /// The width of a referenced field. An IR that names a header or field it does not define
    /// skipped validation (hand-written JSON, a stale cache): readers fail with the spec line of
    /// the reference (`line`) instead of guessing a width.
    public func bits(of ref: FieldRef, line: Int?) throws -> Int {
        guard let header = header(named: ref.header) else {
            throw SpecDiagnostic(line: line, "'\(ref)' names header '\(ref.header)', which the spec does not define")
        }
        guard let field = header.field(named: ref.field) else {
            throw SpecDiagnostic(line: line, "'\(ref)': header '\(ref.header)' has no field '\(ref.field)'")
        }
        return field.bits
    }
}

extension SpecDiagnostic: CustomStringConvertible {
    /// `spec line N: error: message`, for readers that have the IR but not the spec's path.
    public var description: String { "\(line.map { "spec line \($0): " } ?? "")error: \(message)" }
}
