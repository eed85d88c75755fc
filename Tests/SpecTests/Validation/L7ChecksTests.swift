import XCTest

/// The HTTP and search-window checks (Sources/Spec/Validation/L7Checks.swift), through the real loader.
final class L7ChecksTests: XCTestCase {
    private func window(_ bytes: Int, marked: Bool = false) -> String {
        SpecSource.spec(body: """
            SearchWindow(bytes: \(bytes), placement: .anywhere, formats: .w3c(tracestate: true), .b3Multi)\(marked ? " // ERROR" : "")
        """)
    }

    func testEmptyWindowIsRejected() throws {
        try assertRejected(window(0, marked: true), "search window of 0 bytes is out of range", "1 B to 64 KiB")
    }

    func testWindowOverSixtyFourKiBIsRejected() throws {
        try assertRejected(window(65537, marked: true), "search window of 65537 bytes is out of range", "65536")
    }

    func testWindowBoundsAreAccepted() throws {
        XCTAssertEqual(try assertAccepted(window(1))?.search.bytes, 1)
        XCTAssertEqual(try assertAccepted(window(65536))?.search.bytes, 65536)
    }

    func testWindowWithoutFormats() throws {
        let source = SpecSource.spec(body: """
            SearchWindow(bytes: 200) // ERROR
        """)
        try assertRejected(source, "names no trace-context format")
    }

    func testDuplicateFormat() throws {
        let source = SpecSource.spec(body: """
            SearchWindow(bytes: 200, formats: .jaeger, .b3Single, .jaeger) // ERROR
        """)
        try assertRejected(source, "duplicate trace-context format name 'jaeger'")
    }

    func testCustomFormatClashingWithAStandardHeader() throws {
        let source = SpecSource.spec(body: """
            SearchWindow(bytes: 200, formats: .w3c(tracestate: false), .custom(name: "TraceParent", maxValueBytes: 55)) // ERROR
        """)
        try assertRejected(source, "context header 'traceparent' belongs to more than one format")
    }

    func testHTTPWithoutRequestsOrResponses() throws {
        let source = SpecSource.spec(body: """
            HTTP(requests: false, responses: false) // ERROR
        """)
        try assertRejected(source, "neither requests nor responses")
    }

    func testMethodLongerThanDetectionCompares() throws {
        let source = SpecSource.spec(body: """
            HTTP(methods: ["GET", "PROPFIND"]) // ERROR
        """)
        try assertRejected(source, "HTTP method 'PROPFIND' is longer than 7 characters")
    }
}
