import Foundation
import Lab
import PacketKit
import XCTest

/// The mesh's real sidecars on the wire, read by tcpdump at the pods' vports: every request any
/// proxy sends to another pod has its context at the end of the header block with stock sidecars
/// (the original format) and on the line right after Host with context-first sidecars (the
/// proposed one); the other headers are the same and in the same order either way, the headers the
/// client sent arrive unchanged at every hop, and a POST body arrives byte for byte (on the wire
/// where it shares the headers' segment, and at ratings, which answers with its SHA-256).
final class SidecarWireTests: XCTestCase {
    private var watch: MeshWatch?

    override func tearDown() {
        watch?.stop()
        super.tearDown()
    }

    func testW3CContextMovesFromTheEndToRightAfterHost() throws {
        try compareFormats(tracer: .w3c, prefix: "mtm1")
    }

    func testB3ContextMovesFromTheEndToRightAfterHost() throws {
        try compareFormats(tracer: .b3, prefix: "mtm2")
    }

    private func compareFormats(tracer: MeshVariant.Tracer, prefix: String) throws {
        let watch = try MeshWatch(prefix: prefix)
        self.watch = watch
        var othersByFormat: [MeshVariant.Format: [String: [String]]] = [:]
        for format in MeshVariant.Format.allCases {
            try watch.mesh.up(MeshVariant(format: format, tracer: tracer))
            let requests = try sendAndCapture(watch)
            XCTAssertEqual(Set(requests.keys), ["gateway>productpage", "productpage>details", "productpage>reviews", "reviews>ratings"],
                           "\(format): a request on every hop")
            for (hop, captured) in requests {
                for request in captured {
                    let lines = HeaderLines(request)
                    XCTAssertEqual(lines.names.first, "host", "\(format) \(hop): Envoy writes Host first: \(lines.names)")
                    let context = lines.contextLines
                    XCTAssertGreaterThanOrEqual(context.count, tracer == .w3c ? 2 : 3, "\(format) \(hop): \(lines.names)")
                    switch format {
                    case .proposed:
                        XCTAssertEqual(context, Array(2..<(2 + context.count)), "\(hop): the context right after Host: \(lines.names)")
                    case .original:
                        XCTAssertEqual(context, Array((lines.names.count - context.count + 1)...lines.names.count),
                                       "\(hop): the tracer's context closes the header block: \(lines.names)")
                        let metadata = try XCTUnwrap(lines.names.firstIndex(of: "x-envoy-peer-metadata-id"), "\(hop): \(lines.names)")
                        XCTAssertGreaterThan(context[0], metadata + 1, "\(hop): after the application's and Istio's headers")
                    }
                    try assertIntact(lines, hop: hop, format: format)
                }
                othersByFormat[format, default: [:]][hop] = captured.first.map { HeaderLines($0).others }
            }
        }
        for (hop, stock) in othersByFormat[.original] ?? [:] {
            XCTAssertEqual(othersByFormat[.proposed]?[hop], stock, "\(hop): context-first changes the order of nothing but the context")
        }
    }

    static let userAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) meshtrace-mesh-test"
    static let cookie = "session=eyJ1c2VyIjoiamFzb24ifQ; theme=dark"
    static let body = Data((0..<96).map { UInt8(65 + $0 % 26) })

    /// Three GETs and a POST through the gateway; the request packets sent by a proxy, by hop, each once.
    private func sendAndCapture(_ watch: MeshWatch) throws -> [String: [CapturedRequest]] {
        try watch.startCaptures()
        let headers = ["User-Agent: \(Self.userAgent)", "Cookie: \(Self.cookie)"]
        for _ in 0..<3 { XCTAssertTrue(try watch.send(headers: headers).contains("\"ratings\": {\"service\": \"ratings\"")) }
        let answer = try watch.send(body: Self.body, headers: headers)
        let digest = String(try Command.run(["sha256sum"], input: Self.body).check().stdout.prefix(64))
        XCTAssertTrue(answer.contains(digest), "ratings got the POST body whole: \(answer)")
        let seen = try watch.stopCaptures()
        var byHop: [String: [CapturedRequest]] = [:]
        var keys = Set<String>()
        for (name, requests) in seen where name.hasPrefix("vport:") {
            for request in requests where keys.insert(request.key).inserted {
                guard let from = watch.service(at: request.source), let to = watch.service(at: request.destination) else {
                    XCTFail("a request between pods outside the mesh: \(request.key)")
                    continue
                }
                byHop["\(from.rawValue)>\(to.rawValue)", default: []].append(request)
            }
        }
        XCTAssertEqual(byHop.values.map(\.count).reduce(0, +), 4 * 4, "4 requests × 4 hops, each seen once: \(byHop.mapValues(\.count))")
        return byHop
    }

    /// What the client sent goes on unchanged; the body (POSTs to productpage, reviews, ratings) byte for byte.
    private func assertIntact(_ lines: HeaderLines, hop: String, format: MeshVariant.Format) throws {
        XCTAssertEqual(lines.values["user-agent"], Self.userAgent, "\(format) \(hop)")
        XCTAssertEqual(lines.values["cookie"], Self.cookie, "\(format) \(hop)")
        XCTAssertNotNil(lines.values["x-request-id"], "\(format) \(hop)")
        XCTAssertEqual(lines.values["x-envoy-peer-metadata"].flatMap { Data(base64Encoded: $0) }.map { _ in true }, true, "\(format) \(hop): Istio's metadata")
        if let length = lines.values["content-length"].flatMap(Int.init), hop != "productpage>details" {
            XCTAssertEqual(length, Self.body.count, "\(format) \(hop)")
            // Envoy writes the body in the headers' segment or in the next one; ratings' digest (above) covers the latter.
            if !lines.body.isEmpty { XCTAssertEqual(lines.body, Array(Self.body), "\(format) \(hop): the body, byte for byte") }
        }
    }
}
