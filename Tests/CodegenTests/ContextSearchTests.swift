import BPF
import Codegen
import ObjectModel
import TestSupport
import PacketKit
import Runner
import Spec
import XCTest

/// The L7 stage: HTTP detection and the trace-context search, by placement, position, case,
/// format and window, in every profile.
final class ContextSearchTests: XCTestCase {
    let fixed = Generated.Configuration(spec: "mesh")
    let anywhere = Generated.Configuration(spec: "plain-http")

    func events(_ configuration: Generated.Configuration, _ http: String) throws -> [PacketEvent] {
        try Generated.runner(configuration).events(for: Requests.packet(http).frame)
    }

    func testFixedPlacementTakesOnlyTheHeadOfTheBlock() throws {
        let first = try events(fixed, Requests.http([("traceparent", Requests.traceparent), ("Host", "x")]))
        XCTAssertEqual(first.first?.contextFields.traceId, Requests.traceId)
        let later = try events(fixed, Requests.http([("User-Agent", "x"), ("traceparent", Requests.traceparent)]))
        XCTAssertEqual(later.count, 0, "fixed placement: a context after another header is not looked for")
    }

    /// What the context-first sidecar sends (deploy/envoy): Envoy writes Host first, the context
    /// right after it. Host is passed over only before the context block.
    func testFixedPlacementPassesOverALeadingHost() throws {
        let afterHost = try events(fixed, Requests.http([("host", "reviews:9080"), ("traceparent", Requests.traceparent), ("User-Agent", "x")]))
        XCTAssertEqual(afterHost.first?.contextFields.traceId, Requests.traceId)
        let twoLines = try events(fixed, Requests.http([("Host", "x"), ("User-Agent", "x"), ("traceparent", Requests.traceparent)]))
        XCTAssertEqual(twoLines.count, 0, "only the first line may come before the context")
    }

    /// Two traceparent headers make the context invalid (W3C); the kernel marks the repeat.
    func testARepeatedHeaderIsInvalid() throws {
        let other = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        for configuration in [fixed, anywhere] {
            let event = try XCTUnwrap(try events(configuration, Requests.http([("traceparent", Requests.traceparent), ("traceparent", other)])).first)
            XCTAssertEqual(event.observedHeaders.first?.occurrences, 2)
            XCTAssertEqual(event.contextFields.verdict, "invalid")
            XCTAssertEqual(event.contextValues["traceparent"], Requests.traceparent, "the first value is the one copied")
        }
    }

    /// A value longer than its header's maximum is cut, and the kernel says so and reports its
    /// true length: up to the line's end, trailing whitespace excluded.
    func testAValueLongerThanItsMaximumIsCutAndMeasured() throws {
        for configuration in [fixed, anywhere] {
            let event = try XCTUnwrap(try events(configuration, Requests.http([("traceparent", Requests.traceparent + "-extra")])).first)
            let header = try XCTUnwrap(event.observedHeaders.first)
            XCTAssertTrue(header.cut)
            XCTAssertEqual(header.length, 61)
            XCTAssertEqual(header.lineEnd, .seen)
            XCTAssertEqual(header.bytes, Array(Requests.traceparent.utf8))
            XCTAssertEqual(event.contextFields.reason, "traceparent: version 00 value is 61 bytes; it must be exactly 55")
            let exact = try XCTUnwrap(try events(configuration, Requests.http([("traceparent", Requests.traceparent)])).first)
            XCTAssertEqual(exact.observedHeaders.first?.cut, false, "a value of exactly its maximum is whole")
            XCTAssertEqual(exact.contextFields.verdict, "valid")
            // Trailing whitespace, even past the maximum, is no part of the value.
            let padded = try XCTUnwrap(try events(configuration, Requests.http([("traceparent", Requests.traceparent + " \t  ")])).first)
            XCTAssertEqual(padded.observedHeaders.first?.cut, false)
            XCTAssertEqual(padded.observedHeaders.first?.length, 55)
            XCTAssertEqual(padded.contextFields.verdict, "valid")
        }
    }

    /// The kernel says when it did not see a value's line end: the payload ended first, or the
    /// line goes on past the bytes it looks at (SearchTunables.lineReach); the length is then
    /// what it saw, never a guess.
    func testALineWithoutAnEndInReachIsReportedAsSuch() throws {
        for configuration in [fixed, anywhere] {
            let runner = try Generated.runner(configuration)
            let reach = runner.object.manifest.tunables.lineReach
            // The segment ends inside the line and closes the flow (FIN): nothing more comes. (Without
            // FIN, mesh.swift's split requests hold it for the flow's next segment: SplitSegmentTests.)
            var cutShort = Requests.packet("GET / HTTP/1.1\r\ntraceparent: " + String(Requests.traceparent.prefix(30)))
            cutShort.tcpFlags |= 0x01
            let short = try XCTUnwrap(try runner.events(for: cutShort.frame).first?.observedHeaders.first)
            XCTAssertEqual(short.lineEnd, .pastPacket)
            XCTAssertEqual(short.length, 30)
            XCTAssertFalse(short.cut)
            let long = Requests.traceparent + String(repeating: "a", count: reach)
            let event = try XCTUnwrap(try runner.events(for: Requests.packet(Requests.http([("traceparent", long)])).frame).first)
            let header = try XCTUnwrap(event.observedHeaders.first)
            XCTAssertEqual(header.lineEnd, .pastReach)
            XCTAssertEqual(header.length, reach)
            XCTAssertTrue(header.cut)
            XCTAssertEqual(event.contextFields.reason, "traceparent: version 00 value is at least \(reach) bytes; it must be exactly 55")
        }
    }

    func testFixedPlacementTakesConsecutiveB3Headers() throws {
        let headers = [("X-B3-Sampled", "1"), ("x-b3-spanid", "03df9f227df14072"), ("X-B3-TraceId", "744a02a3033b7d5960cd96456ba069a0"),
                       ("x-b3-parentspanid", "60cd96456ba069a0"), ("Host", "productpage:9080")]
        let event = try XCTUnwrap(try events(fixed, Requests.http(headers)).first)
        XCTAssertEqual(event.contextFields.format, "b3")
        XCTAssertEqual(event.contextFields.traceId, "744a02a3033b7d5960cd96456ba069a0")
        XCTAssertEqual(event.contextFields.spanId, "03df9f227df14072")
        XCTAssertEqual(event.contextFields.parentSpanId, "60cd96456ba069a0")
        XCTAssertEqual(event.contextFields.sampled, true)
        XCTAssertTrue(event.contextFields.isValid)
    }

    func testHeaderNamesMatchInAnyCase() throws {
        for name in ["traceparent", "TRACEPARENT", "TraceParent", "tRaCePaReNt"] {
            for configuration in [fixed, anywhere] {
                let found = try events(configuration, Requests.http([(name, Requests.traceparent), ("Host", "x")]))
                XCTAssertEqual(found.first?.contextValues["traceparent"], Requests.traceparent, "\(name) in \(configuration.spec)")
            }
        }
    }

    func testNamesMatchOnlyAtLineStarts() throws {
        let http = Requests.http([("x-not-traceparent", Requests.traceparent), ("Referer", "/?traceparent: \(Requests.traceparent)")])
        XCTAssertEqual(try events(anywhere, http).count, 0)
    }

    func testEveryMethodAndResponses() throws {
        for method in HTTPDetection.allMethods {
            let found = try events(anywhere, Requests.http([("traceparent", Requests.traceparent)], method: method))
            XCTAssertEqual(found.count, 1, method)
        }
        XCTAssertEqual(try events(anywhere, "HTTP/1.1 200 OK\r\ntraceparent: \(Requests.traceparent)\r\n\r\n").count, 1, "responses are detected")
        XCTAssertEqual(try events(fixed, "HTTP/1.1 200 OK\r\ntraceparent: \(Requests.traceparent)\r\n\r\n").count, 0, "mesh traces requests only")
        XCTAssertEqual(try events(anywhere, "GETX / HTTP/1.1\r\ntraceparent: \(Requests.traceparent)\r\n\r\n").count, 0)
    }

    func testEveryFormat() throws {
        let cases: [(String, [(String, String)], String, String)] = [
            ("w3c", [("traceparent", Requests.traceparent), ("tracestate", "congo=t61rcWkgMzE")], Requests.traceId, Requests.spanId),
            ("b3-single", [("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90")], "80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1"),
            ("jaeger", [("uber-trace-id", "4bf92f3577b34da6:a3ce929d0e0e4736:0:1")], "00000000000000004bf92f3577b34da6", "a3ce929d0e0e4736"),
            ("b3", [("X-B3-TraceId", "463ac35c9f6413ad"), ("X-B3-SpanId", "a2fb4a1d1a96d312")], "0000000000000000463ac35c9f6413ad", "a2fb4a1d1a96d312"),
        ]
        // Trace ids come out as 128 bits: 64-bit B3 and Jaeger ids left-padded with zeros.
        for (format, headers, traceId, spanId) in cases {
            let event = try XCTUnwrap(try events(anywhere, Requests.http(Requests.filler(count: 3) + headers)).first, format)
            XCTAssertEqual(event.contextFields.format, format)
            XCTAssertEqual(event.contextFields.traceId, traceId, format)
            XCTAssertEqual(event.contextFields.spanId, spanId, format)
            XCTAssertTrue(event.contextFields.isValid, "\(format): \(event.contextFields.reason ?? "")")
        }
        let state = try XCTUnwrap(try events(anywhere, Requests.http([("traceparent", Requests.traceparent), ("tracestate", "congo=t61rcWkgMzE")])).first)
        XCTAssertEqual(state.contextValues["tracestate"], "congo=t61rcWkgMzE")
    }

    func testMalformedContextIsReportedInvalid() throws {
        let event = try XCTUnwrap(try events(anywhere, Requests.http([("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")])).first)
        XCTAssertEqual(event.contextFields.isValid, false)
        XCTAssertEqual(event.contextFields.reason, "traceparent: trace-id '4BF92F3577B34DA6A3CE929D0E0E4736' is not 32 lowercase hex digits")
    }

    /// Only the context's own bytes leave the kernel: never the next header's.
    func testNoOtherHeaderBytesLeaveTheKernel() throws {
        let secret = "hunter2-s3cr3t"
        let http = Requests.http([("traceparent", "00-abc"), ("Cookie", "session=\(secret)"), ("Authorization", "Bearer \(secret)")])
        for configuration in [fixed, anywhere] {
            let runner = try Generated.runner(configuration)
            let raw = try runner.rawEvents(for: Requests.packet(http).frame)
            XCTAssertEqual(raw.count, 1)
            for record in raw {
                XCTAssertNil(String(decoding: record, as: UTF8.self).range(of: "s3cr3t"))
                XCTAssertNil(record.firstRange(of: Array("hunter".utf8)))
            }
            XCTAssertEqual(try runner.events(for: Requests.packet(http).frame).first?.contextValues["traceparent"], "00-abc")
        }
    }

    /// A context line must begin inside the window; its value may run past it.
    func testWindowEdge() throws {
        let window = 200
        let configuration = Generated.Configuration(spec: "plain-http", window: window, placement: .anywhere)
        let runner = try Generated.runner(configuration)
        for start in [window - 2, window - 1, window, window + 1] {
            let http = Requests.request(contextAt: start)
            let found = try runner.events(for: Requests.packet(http).frame)
            XCTAssertEqual(found.count, start < window ? 1 : 0, "context line at byte \(start) of a \(window)-byte window")
            if start < window { XCTAssertEqual(found.first?.contextValues["traceparent"], Requests.traceparent) }
        }
    }

    /// Contexts at the head, the middle and the end of header blocks up to what one test-run frame
    /// holds (BPF_PROG_TEST_RUN takes at most a page), straddling every chunk boundary there, in
    /// every profile, with an 8 KiB window. Larger blocks are sent as real GSO packets over a veth
    /// in LiveInjectionTests.
    func testLargeWindowsInEveryProfile() throws {
        for profile in LoopProfile.allCases {
            let configuration = Generated.Configuration(spec: "plain-http", window: 8192, placement: .anywhere, profile: profile)
            let runner = try Generated.runner(configuration)
            let chunk = try Generated.output(configuration).report.plan.chunkBytes
            var starts = [40, 1000, 2048, Self.largestTestRunStart]
            for boundary in stride(from: chunk, to: Self.largestTestRunStart, by: chunk) {
                starts += [boundary - 5, boundary - 1, boundary, boundary + 1]
            }
            for start in starts {
                let found = try runner.events(for: Requests.packet(Requests.request(contextAt: start)).frame)
                XCTAssertEqual(found.first?.contextValues["traceparent"], Requests.traceparent, "\(profile.rawValue): context at byte \(start), chunks of \(chunk)")
            }
        }
    }

    /// The search's buffers are wiped after every packet (mt_wipe, mt_wipe_used: a stride of
    /// stores an iteration). The scan and the name compare read past the payload's end into
    /// those zeros, so a byte an earlier, longer packet left there would read as its line: here
    /// a `traceparent` line whose newline lies two bytes past a cut request's end, in the cut
    /// request's last scanned word, must not be found.
    func testACutRequestFindsNothingAnEarlierLongerOneLeft() throws {
        // The cut request ends one byte before "y\r\n" and the context line, its length 3 mod 8:
        // the '\n' two bytes past its end is in the word of its last byte (the buffer holds
        // payload byte i at i + 1), which every profile scans.
        let head = "GET /productpage HTTP/1.1\r\nx-pad: ".utf8.count
        var pad = 1
        while (head + pad - 1) % 8 != 3 { pad += 1 }
        let long = Requests.http([("x-pad", String(repeating: "y", count: pad)), ("traceparent", Requests.traceparent)])
        let cut = String(decoding: Array(long.utf8)[..<(head + pad - 1)], as: UTF8.self)
        for profile in LoopProfile.allCases {
            let runner = try Generated.runner(Generated.Configuration(spec: "plain-http", profile: profile))
            // both on one CPU: the buffer is per-CPU
            try CPUPinning.onCPU(0) {
                XCTAssertEqual(try runner.events(for: Requests.packet(long).frame).first?.contextValues["traceparent"], Requests.traceparent,
                               "\(profile.rawValue): the long request's context")
                let before = try runner.object.counters()
                XCTAssertEqual(try runner.events(for: Requests.packet(cut).frame).count, 0,
                               "\(profile.rawValue): the cut request found a context the long one left in the search buffer")
                let after = try runner.object.counters()
                XCTAssertEqual(after[KernelCounter.truncated.rawValue] - before[KernelCounter.truncated.rawValue], 1,
                               "\(profile.rawValue): the cut request is counted as truncated")
            }
        }
    }
}

extension ContextSearchTests {
    /// The deepest context line that still fits a test-run frame with its headers.
    static let largestTestRunStart = 3300
}

extension Requests {
    /// A request whose `traceparent` line begins exactly at payload byte `start` (>= 40).
    static func request(contextAt start: Int) -> String {
        let head = "GET /productpage HTTP/1.1\r\n"
        var headers = head
        var index = 0
        while start - headers.utf8.count > 68 {
            headers += "x-pad-\(index): \(String(repeating: "p", count: 40))\r\n"
            index += 1
        }
        let rest = start - headers.utf8.count
        if rest > 0 {
            // One last header exactly `rest` bytes long: "x:" + value + CRLF.
            headers += "x:" + String(repeating: "q", count: max(0, rest - 4)) + "\r\n"
        }
        precondition(headers.utf8.count == start, "request builder: \(headers.utf8.count) != \(start)")
        return headers + "traceparent: \(traceparent)\r\nHost: reviews\r\n\r\n"
    }
}
