/// A custom format: one header whose value is an opaque id, used whole. Nothing but its
/// presence, uniqueness and completeness can be checked.
enum CustomContext {
    static func parse(_ header: ObservedHeader) -> Result<String, InvalidReason> {
        guard header.occurrences == 1 else {
            return .failure(InvalidReason(header: header.name, problem: "more than one \(header.name) header in the request; exactly one is allowed"))
        }
        guard header.length > 0 else { return .failure(InvalidReason(header: header.name, problem: "value is empty")) }
        if let incompleteness = header.incompleteness {
            return .failure(InvalidReason(header: header.name, problem: "\(incompleteness); a custom id is only valid whole"))
        }
        return .success(header.value)
    }
}
