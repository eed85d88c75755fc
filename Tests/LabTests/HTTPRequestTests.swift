import Lab
import TraceContexts
import XCTest

/// The request shapes, trace contexts and parsing that need no root.
final class HTTPRequestTests: XCTestCase {
    let context = RequestContext(traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331")

    func testFixedPutsTraceparentRightAfterTheRequestLine() {
        let request = HTTPRequest(placement: .fixed, host: "198.19.2.2:8080").bytes(carrying: context)
        let lines = request.components(separatedBy: "\r\n")
        XCTAssertEqual(lines[0], "GET /index.html HTTP/1.1")
        XCTAssertEqual(lines[1], "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        XCTAssertEqual(lines[2], "Host: 198.19.2.2:8080")
        XCTAssertTrue(request.hasSuffix("Connection: close\r\n\r\n"))
        XCTAssertEqual(HTTPRequest(placement: .fixed, host: "h").contextOffset, "GET /index.html HTTP/1.1\r\n".utf8.count)
    }

    func testAnywherePutsTraceparentAfterAKilobyte() {
        for padding in [1024, 300, 2000, 4096] {
            let shape = HTTPRequest(placement: .anywhere, host: "198.19.2.2:8080", padding: padding)
            let request = shape.bytes(carrying: context)
            XCTAssertEqual(shape.contextOffset, padding)
            let bytes = Array(request.utf8)
            XCTAssertEqual(String(decoding: bytes[padding..<(padding + 13)], as: UTF8.self), "traceparent: ")
            XCTAssertEqual(String(decoding: bytes[(padding - 2)..<padding], as: UTF8.self), "\r\n")
            let lines = request.components(separatedBy: "\r\n")
            XCTAssertEqual(lines[0], "GET /index.html HTTP/1.1")
            XCTAssertEqual(lines[1], "Host: 198.19.2.2:8080")
            XCTAssertEqual(lines.filter { $0.hasPrefix("traceparent: ") }.count, 1)
            XCTAssertTrue(request.hasSuffix("\r\n\r\n"))
            XCTAssertFalse(request.dropLast(4).contains("\r\n\r\n"))
        }
    }

    func testKeepAliveDropsConnectionClose() {
        XCTAssertFalse(HTTPRequest(placement: .fixed, host: "h", keepAlive: true).bytes(carrying: context).contains("Connection"))
    }

    func testRandomContextsAreValidAndFresh() {
        let contexts = (0..<200).map { _ in RequestContext.random() }
        XCTAssertEqual(Set(contexts.map(\.traceId)).count, 200)
        // What the testbed sends is read back by the runner's parser, with the full W3C rules.
        let parser = ContextParser(formats: [.w3c(tracestate: false)])
        for context in contexts {
            let value = context.traceparent
            let header = ObservedHeader(name: "traceparent", value: value, length: value.utf8.count, cut: false, occurrences: 1)
            let parsed = parser.verdict(for: [header]).context
            XCTAssertEqual(parsed?.traceId.hex, context.traceId)
            XCTAssertEqual(parsed?.spanId.hex, context.spanId)
            XCTAssertEqual(parsed?.sampling.sampled, true)
            XCTAssertEqual(value.count, 55)
        }
    }

    func testTopologyNamesAndAddresses() throws {
        let topology = try Topology(prefix: "abcdefghijk")
        for node in topology.nodes {
            for name in [node.nic, node.overlayDevice, node.bridge] { XCTAssertLessThanOrEqual(name.count, 15) }
            for address in [node.nicAddress, node.overlayAddress, node.gateway] { XCTAssertTrue(Self.inTestRange(address), address) }
        }
        for pod in topology.pods {
            XCTAssertLessThanOrEqual(pod.vport.count, 15)
            XCTAssertTrue(Self.inTestRange(pod.ip), pod.ip)
        }
        XCTAssertEqual(topology.pods.map(\.node), ["node1", "node2", "node2"])
        XCTAssertEqual(Set(topology.namespaces).count, 5)
        XCTAssertThrowsError(try Topology(prefix: "abcdefghijkl"))
        XCTAssertThrowsError(try Topology(prefix: "Mt"))
        XCTAssertThrowsError(try Topology(prefix: "a b"))
        XCTAssertThrowsError(try Topology(prefix: ""))
    }

    func testNotRootMessage() {
        XCTAssertEqual(LabError.notRoot.description, "meshtrace-lab needs root: network namespaces")
    }

    /// 198.18.0.0/15: 198.18.x.x and 198.19.x.x.
    static func inTestRange(_ address: String) -> Bool {
        let octets = address.split(separator: ".").compactMap { Int($0) }
        return octets.count == 4 && octets[0] == 198 && (octets[1] == 18 || octets[1] == 19) && octets.allSatisfy { (0...255).contains($0) }
    }
}
