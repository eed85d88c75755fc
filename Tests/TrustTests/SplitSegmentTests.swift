import Foundation
import ObjectModel
import PacketKit
import Reference
import Runner
import Spec
import TestSupport
import XCTest

/// Requests cut into two or three TCP segments at every byte around their context lines, through
/// the real kernel (BPF_PROG_TEST_RUN, one flow per cut): the held request goes on in the next
/// segment, a context line cut anywhere (name, colon, OWS, value, CR, LF) is found, and the one
/// event, from the segment that ends the search, carries the same context as the whole request
/// sent at once, keyed on the request's first seq, byte for byte what the reference interpreter
/// predicts for the sequence.
final class SplitSegmentTests: XCTestCase {
    static let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    /// A request with W3C and B3 lines past 1400 bytes, each cut-point range below covering them.
    static var request: String {
        "GET /split HTTP/1.1\r\nHost: 198.19.2.2:8080\r\n"
            + (1...14).map { "x-pad-\($0): " + String(repeating: "p", count: 88) + "\r\n" }.joined()
            + "traceparent: \(traceparent)\r\nCookie: a=b\r\nX-B3-TraceId: 4bf92f3577b34da6a3ce929d0e0e4736\r\n"
            + "x-b3-spanid:\t00f067aa0ba902b7\r\nAccept: */*\r\n\r\n"
    }

    func testUnrolled() throws { try cutEverywhere(.unrolled) }
    func testLoops() throws { try cutEverywhere(.loops) }
    func testBPFLoop() throws { try cutEverywhere(.bpfLoop) }

    func cutEverywhere(_ profile: LoopProfile) throws {
        let configuration = Generated.Configuration(spec: "mesh", window: 4096, placement: .anywhere, profile: profile)
        let runner = try Generated.runner(configuration)
        let interpreter = try ReferenceInterpreter(manifest: runner.object.manifest, tracingPoint: 0, hook: .ingress)
        let decoder = EventDecoder(spec: runner.object.manifest.spec, layout: runner.object.layout)
        let bytes = Array(Self.request.utf8)
        let first: UInt32 = 0xfffff000 // the seq wraps inside the request
        let whole = try XCTUnwrap(try events(runner, [bytes], port: 1000, first: first).last, "the whole request makes an event")
        let wholeEvent = try whole.withUnsafeBytes { try decoder.decode($0) }
        XCTAssertEqual(wholeEvent.contextValues["traceparent"], Self.traceparent)
        XCTAssertEqual(wholeEvent.contextValues["x-b3-spanid"], "00f067aa0ba902b7")
        let context = Array(Self.request.utf8).firstRange(of: Array("traceparent".utf8))!.lowerBound
        var cuts = 0, later = 0
        var requests = ReferenceRequests()
        for cut in (context - 4)..<(bytes.count - 1) {
            // two segments, and three: the second cut 120 bytes further on (a line spans at most two)
            for pieces in [[cut], [cut, min(cut + 120, bytes.count - 1)]] where Set(pieces).count == pieces.count {
                var segments: [[UInt8]] = []
                var at = 0
                for end in pieces + [bytes.count] {
                    segments.append(Array(bytes[at..<end]))
                    at = end
                }
                cuts += 1
                let port = 1001 + cuts
                let kernel = try events(runner, segments, port: port, first: first)
                var expected: [UInt8]?
                var sequence = first
                for segment in segments {
                    let evaluation = interpreter.evaluate(frame: frame(segment, port: port, sequence: sequence), requests: &requests)
                    expected = evaluation.event ?? expected
                    sequence &+= UInt32(segment.count)
                }
                let label = "cut at \(pieces) of \(bytes.count) B (\(profile.rawValue))"
                XCTAssertEqual(kernel.count, 1, "\(label): one event")
                guard let event = kernel.last else { continue }
                XCTAssertEqual(interpreter.masked(event), expected, "\(label): the interpreter's event")
                let decoded = try event.withUnsafeBytes { try decoder.decode($0) }
                XCTAssertEqual(decoded.contextValues, wholeEvent.contextValues, "\(label): the whole request's context")
                XCTAssertEqual(decoded.observedHeaders, wholeEvent.observedHeaders, "\(label): cut and repeat flags")
                XCTAssertEqual(decoded.requestSequence, first, "\(label): keyed on the request's first byte")
                if (decoded.segmentOffset ?? 0) > 0 { later += 1 }
            }
        }
        let counters = try runner.object.counters()
        print("split \(profile.rawValue): \(cuts) cut requests, \(later) with the context past the first segment; kernel: "
              + [KernelCounter.segmentsHeld, .segmentsResumed, .requestsGap].map { "\($0.label) \(counters[$0.rawValue])" }.joined(separator: ", "))
        XCTAssertGreaterThan(later, 0)
        XCTAssertEqual(counters[KernelCounter.requestsGap.rawValue], 0)
    }

    func frame(_ payload: [UInt8], port: Int, sequence: UInt32) -> [UInt8] {
        var packet = Packet(payload: payload)
        packet.sourcePort = port
        packet.sequence = sequence
        return packet.frame
    }

    /// The segments of one flow in order, from `first`; every event they made.
    func events(_ runner: FrameRunner, _ segments: [[UInt8]], port: Int, first: UInt32) throws -> [[UInt8]] {
        var sequence = first
        var events: [[UInt8]] = []
        for segment in segments {
            events += try runner.rawEvents(for: frame(segment, port: port, sequence: sequence))
            sequence &+= UInt32(segment.count)
        }
        return events
    }
}
