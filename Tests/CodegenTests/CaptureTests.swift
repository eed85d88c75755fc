import Codegen
import ObjectModel
import PacketKit
import Runner
import Spec
import TestSupport
import XCTest

/// The generated programs over real third-party captures (`Generated.captures`, see its MANIFEST):
/// which packets produce events, and which HTTP messages each spec's parser reaches.
final class CaptureTests: XCTestCase {

    struct Outcome: Equatable, CustomStringConvertible {
        var events: Int
        /// HTTP messages reached without a context (counter no_context).
        var httpWithoutContext: UInt64
        var description: String { "\(events) event(s), \(httpWithoutContext) HTTP message(s) without context" }
    }

    func run(_ spec: String, _ capture: String) throws -> (Outcome, [PacketEvent]) {
        let path = try Generated.capture(capture).path
        let runner = try Generated.runner(.init(spec: spec))
        var events: [PacketEvent] = []
        for frame in try CaptureReader.frames(in: path) where frame.bytes.count <= FrameRunner.maxFrameBytes {
            events += try runner.events(for: frame.bytes)
        }
        let counters = try runner.object.counters()
        return (Outcome(events: events.count, httpWithoutContext: counters[KernelCounter.noContext.rawValue]), events)
    }

    /// mesh.swift: VXLAN on 4789, IPIP, requests only, context first. The MANIFEST's VXLAN
    /// captures each carry one request (one with non-zero reserved bits, which must still parse);
    /// the Istio request has B3 headers, but not first, so fixed placement does not take it.
    func testMeshSpec() throws {
        let expected: [String: Outcome] = [
            "zeek__vxlan-encapsulated-http.pcap": Outcome(events: 0, httpWithoutContext: 1),
            "suricata-verify__vxlan-non-zero-reserved-fields.pcap": Outcome(events: 0, httpWithoutContext: 1),
            "deepflow__istio-tcp-frag_b3.pcap": Outcome(events: 0, httpWithoutContext: 1),
            "arkime__gre-erspan-vxlan.pcap": Outcome(events: 0, httpWithoutContext: 0),  // VXLAN to port 4790, inside GRE
            "zeek__geneve-many-options.pcap": Outcome(events: 0, httpWithoutContext: 0),
            "deepflow__ipip.pcap": Outcome(events: 0, httpWithoutContext: 0),  // IPIP, but TLS
            "suricata-verify__bug-4571-01_ipv4_over_ipv4.pcap": Outcome(events: 0, httpWithoutContext: 0),
            "tcpdump__vxlan.pcap": Outcome(events: 0, httpWithoutContext: 0),
            "zeek__vxlan-triple-v2.pcap": Outcome(events: 0, httpWithoutContext: 0),
        ]
        for (capture, outcome) in expected {
            let (got, _) = try run("mesh", capture) // outside the assertion: a skip thrown inside it is recorded as a failure
            XCTAssertEqual(got, outcome, capture)
        }
    }

    /// plain-http.swift searches anywhere: the Istio request's lower-case B3 headers make the only event.
    func testIstioB3Request() throws {
        let (outcome, events) = try run("plain-http", "deepflow__istio-tcp-frag_b3.pcap")
        XCTAssertEqual(outcome, Outcome(events: 1, httpWithoutContext: 1), "the request has a context, the response none")
        let context = try XCTUnwrap(events.first).contextFields
        XCTAssertEqual(context.format, "b3")
        XCTAssertEqual(context.traceId, "744a02a3033b7d5960cd96456ba069a0")
        XCTAssertEqual(context.spanId, "03df9f227df14072")
        XCTAssertEqual(context.parentSpanId, "60cd96456ba069a0")
        XCTAssertEqual(context.sampled, true)
        XCTAssertTrue(context.isValid)
        XCTAssertEqual(events.first?.inner?.destinationPort, 9080)
    }

    /// overlays.swift: Geneve (with 76 bytes of options) and GRE/TEB reach the inner request and
    /// its response; its custom x-request-id format finds Envoy's request id.
    func testOverlaysSpec() throws {
        let (geneve, _) = try run("overlays", "zeek__geneve-many-options.pcap")
        XCTAssertEqual(geneve, Outcome(events: 0, httpWithoutContext: 2))
        let (gre, _) = try run("overlays", "suricata-verify__bug-2576-01_gre-teb-http.pcap")
        XCTAssertEqual(gre, Outcome(events: 0, httpWithoutContext: 2))
        let (outcome, events) = try run("overlays", "deepflow__istio-tcp-frag_b3.pcap")
        XCTAssertEqual(outcome.events, 1)
        XCTAssertEqual(events.first?.contextFields.format, "custom:x-request-id")
    }
}
