import XCTest

/// The header checks (Sources/Spec/Validation/HeaderChecks.swift), each through the real loader.
final class HeaderChecksTests: XCTestCase {
    func testFieldsThatDoNotAddUpToWholeBytes() throws {
        let source = SpecSource.spec(
            preamble: """
            let tag = Header("tag") { // ERROR
                Field("kind", bits: 3)
                Field("nextType", bits: 16)
            }
            """,
            states: """
                    State("ethernet") {
                        Extract(ethernet)
                        Select(ethernet.etherType) { Case(0x88b5, "tag") }
                    }
                    State("tag") {
                        Extract(tag)
                        Transition(.accept)
                    }
            """
        )
        try assertRejected(source, "header 'tag'", "add up to 19 bits", "not a whole number of bytes")
    }

    func testDuplicateHeaderName() throws {
        let source = SpecSource.spec(
            preamble: """
            let tag = Header("tag") {
                Field("kind", bits: 8)
            }
            let otherTag = Header("tag") { // ERROR
                Field("kind", bits: 16)
            }
            """,
            states: """
                    State("ethernet") {
                        Extract(ethernet)
                        Select(ethernet.etherType) { Case(0x88b5, "tag"); Case(0x88b6, "other") }
                    }
                    State("tag") {
                        Extract(tag)
                        Transition(.accept)
                    }
                    State("other") {
                        Extract(otherTag)
                        Transition(.accept)
                    }
            """
        )
        try assertRejected(source, "duplicate header name 'tag'", "first declared at line 2")
    }

    func testDuplicateFieldName() throws {
        let source = SpecSource.spec(
            preamble: """
            let tag = Header("tag") {
                Field("kind", bits: 8)
                Field("kind", bits: 8) // ERROR
            }
            """,
            states: """
                    State("ethernet") {
                        Extract(ethernet)
                        Select(ethernet.etherType) { Case(0x88b5, "tag") }
                    }
                    State("tag") {
                        Extract(tag)
                        Transition(.accept)
                    }
            """
        )
        try assertRejected(source, "duplicate field in header 'tag' name 'kind'")
    }

    func testLengthRuleOnUnknownField() throws {
        let source = SpecSource.spec(
            preamble: """
            let tag = Header("tag", length: [.totalLength(field: "size", unit: 4)]) { // ERROR
                Field("kind", bits: 8)
                Field("length", bits: 8)
            }
            """,
            states: """
                    State("ethernet") {
                        Extract(ethernet)
                        Select(ethernet.etherType) { Case(0x88b5, "tag") }
                    }
                    State("tag") {
                        Extract(tag)
                        Transition(.accept)
                    }
            """
        )
        try assertRejected(source, "length rule of header 'tag'", "unknown field 'size'")
    }
}
