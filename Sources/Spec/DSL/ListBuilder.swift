/// The result builder behind every block of the DSL: it collects the block's items, in order.
///
/// One generic builder serves every block; the element type says what a block may hold
/// (`ListBuilder<any SpecComponent>` in a spec, `ListBuilder<HeaderField>` in a header, …).
@resultBuilder
public enum ListBuilder<Element> {
    /// An item on its own line:
    /// ```swift
    /// Header("tag") { Field("kind", bits: 8) }
    /// ```
    public static func buildExpression(_ item: Element) -> [Element] { [item] }

    /// A list computed elsewhere and spliced in:
    /// ```swift
    /// Parser(start: "eth") { ethernetStates }   // ethernetStates: [State]
    /// ```
    public static func buildExpression(_ items: [Element]) -> [Element] { items }

    /// The lines of a block, concatenated:
    /// ```swift
    /// Header("tag") { Field("kind", bits: 8); Field("nextType", bits: 16) }
    /// ```
    public static func buildBlock(_ parts: [Element]...) -> [Element] { parts.flatMap { $0 } }

    /// An `if` without `else`:
    /// ```swift
    /// if withIPv6 { State("ipv6") { Extract(ipv6); Transition(.accept) } }
    /// ```
    public static func buildOptional(_ part: [Element]?) -> [Element] { part ?? [] }

    /// The first branch of an `if`/`else` or `switch`:
    /// ```swift
    /// if legacy { SearchWindow(bytes: 900, placement: .anywhere, formats: .b3Multi) } else { SearchWindow(bytes: 200, formats: .w3c(tracestate: false)) }
    /// ```
    public static func buildEither(first part: [Element]) -> [Element] { part }

    /// The second branch of an `if`/`else` or `switch` (see `buildEither(first:)`).
    public static func buildEither(second part: [Element]) -> [Element] { part }

    /// A `for` loop:
    /// ```swift
    /// for port in [4789, 8472] { Case(.exact(UInt64(port)), "vxlan") }
    /// ```
    public static func buildArray(_ parts: [[Element]]) -> [Element] { parts.flatMap { $0 } }

    /// An `if #available` block: treated like any other optional block.
    public static func buildLimitedAvailability(_ part: [Element]) -> [Element] { part }
}
