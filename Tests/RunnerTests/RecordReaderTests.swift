import ObjectModel
import PacketKit
import Runner
import Spec
import TestSupport
import TraceContexts
import XCTest

/// The join's key read in place from real records (`RecordReader`): the kernel's own events for
/// requests that differ in one thing at a time, and what `EventDecoder` decodes of the same.
final class RecordReaderTests: XCTestCase {
    /// mesh.swift keys on the request's first byte (`.segment`), plain-http.swift on `tcp.seqNo`.
    func testTheKeyIsTheInnerTupleTheSequenceAndTheContextBytes() throws {
        for spec in ["mesh", "plain-http"] {
            let runner = try Generated.runner(.init(spec: spec, window: 200, placement: .anywhere))
            let reader = RecordReader(spec: runner.object.manifest.spec, layout: runner.object.layout)
            let decoder = EventDecoder(spec: runner.object.manifest.spec, layout: runner.object.layout)
            func record(traceparent: String = Requests.traceparent, extra: [(String, String)] = [], _ change: (inout Packet) -> Void = { _ in }) throws -> RingRecord {
                var packet = Requests.packet(Requests.http([("host", "reviews")] + extra + [("traceparent", traceparent)]))
                change(&packet)
                let raw = try runner.rawEvents(for: packet.frame)
                XCTAssertEqual(raw.count, 1, "\(spec): one event per request")
                return try XCTUnwrap(raw.first.map { try $0.withUnsafeBytes { try reader.record($0) } })
            }
            func decoded(_ record: RingRecord) throws -> PacketEvent { try record.bytes.withUnsafeBytes { try decoder.decode($0) } }

            let base = try record()
            var same = try record(extra: [("user-agent", "curl/8")]) { $0.acknowledgment &+= 7 }
            try reader.stamp(&same, timestamp: 42, point: runner.object.manifest.spec.points[0].name, hook: .egress)
            XCTAssertEqual(reader.seen(same)?.timestamp, 42)
            XCTAssertEqual(reader.seen(same)?.end.hook, .egress)
            XCTAssertTrue(reader.sameKey(base, same), "\(spec): other headers, acknowledgment, time, point and hook are not the key")
            XCTAssertEqual(reader.keyHash(of: base, hop: 0), reader.keyHash(of: same, hop: 0))
            XCTAssertNotEqual(reader.keyHash(of: base, hop: 0), reader.keyHash(of: base, hop: 1), "\(spec): the hop is")

            let otherTrace = Requests.traceparent.replacingOccurrences(of: "-01", with: "-00")
            let others: [(String, RingRecord)] = [
                ("sequence number", try record { $0.sequence &+= 1000 }),
                ("source port", try record { $0.sourcePort += 1 }),
                ("source address", try record { $0.source = [198, 19, 1, 3] }),
                ("destination address", try record { $0.destination = [198, 19, 2, 3] }),
                ("trace context", try record(traceparent: otherTrace)),
            ]
            let baseEvent = try decoded(base)
            for (what, other) in others {
                XCTAssertFalse(reader.sameKey(base, other), "\(spec): another \(what) is another packet")
                XCTAssertFalse(reader.sameKey(other, base), "\(spec): another \(what), the other way")
                XCTAssertNotEqual(reader.keyHash(of: base, hop: 0), reader.keyHash(of: other, hop: 0), "\(spec): \(what)")
                // What the decoder makes of the same records differs in that part of the key.
                let event = try decoded(other)
                XCTAssertTrue(event.inner != baseEvent.inner || event.sequence != baseEvent.sequence
                              || event.observedHeaders.map(\.bytes) != baseEvent.observedHeaders.map(\.bytes), "\(spec): \(what)")
            }
            XCTAssertEqual(baseEvent.observedHeaders.map(\.name), ["traceparent"])
        }
    }

    func testRecordsThatCannotBeDecodedAreRefusedBeforeTheJoin() throws {
        let runner = try Generated.runner(.init(spec: "mesh", window: 200, placement: .anywhere))
        let layout = runner.object.layout
        let reader = RecordReader(spec: runner.object.manifest.spec, layout: layout)
        let raw = try XCTUnwrap(try runner.rawEvents(for: Requests.packet(Requests.http([("traceparent", Requests.traceparent)])).frame).first)
        XCTAssertThrowsError(try Array(raw.prefix(layout.size - 1)).withUnsafeBytes { try reader.record($0) }) { error in
            guard case EventDecoder.DecodeError.shortRecord = error else { return XCTFail("\(error)") }
        }
        let context = try XCTUnwrap(layout.slots.first { $0.field == .traceContext }).offset
        var broken = raw
        for mask in [SlotKind.pastPacketMaskOffset, SlotKind.pastReachMaskOffset] { broken[context + mask] |= 1 }
        XCTAssertThrowsError(try broken.withUnsafeBytes { try reader.record($0) }) { error in
            guard case EventDecoder.DecodeError.bothLineEnds = error else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try raw.withUnsafeBytes { try reader.record($0) })
    }
}
