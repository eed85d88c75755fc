/// Builds C source text with indentation state, like p4c's SourceCodeBuilder: emitters say
/// what to write and where blocks open and close; the builder owns the layout.
public struct SourceBuilder {
    public private(set) var text = ""
    private var depth = 0

    public init() {}

    /// Indents what `body` writes by one level, without braces (a function body after its signature).
    public mutating func indented(_ body: (inout SourceBuilder) throws -> Void) rethrows {
        depth += 1
        defer { depth -= 1 }
        try body(&self)
    }

    /// Appends one line at the current indentation (a blank line for "").
    public mutating func line(_ content: String = "") {
        text += content.isEmpty ? "\n" : String(repeating: "    ", count: depth) + content + "\n"
    }

    /// Appends several lines verbatim, each at the current indentation.
    public mutating func lines(_ content: String) {
        for line in content.split(separator: "\n", omittingEmptySubsequences: false) {
            self.line(String(line))
        }
    }

    /// `header {`, the body one level deeper, then `}` plus `trailer` (as in `};`).
    public mutating func block(_ header: String, trailer: String = "", _ body: (inout SourceBuilder) throws -> Void) rethrows {
        line(header.isEmpty ? "{" : header + " {")
        depth += 1
        defer { depth -= 1; line("}" + trailer) }
        try body(&self)
    }
}
