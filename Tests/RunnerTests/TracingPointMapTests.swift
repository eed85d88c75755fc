import Foundation
import ObjectModel
import PacketKit
import Runner
import Subprocess
import TestSupport
import XCTest

/// An event's tracing point, found from its ifindex in the kernel: the array below
/// `TracingPointMaps.directLimit`, the hash from there on. Real programs, packets run on veth
/// devices of a namespace the test makes (BPF_PROG_TEST_RUN takes the skb's device by ifindex).
final class TracingPointMapTests: XCTestCase {
    let namespace = NetworkNamespace("mtpts\(getpid() % 10000)")
    let low: UInt32 = 7, high = UInt32(TracingPointMaps.directLimit) + 3616, unset: UInt32 = 11

    override func setUpWithError() throws {
        try Generated.requireRoot()
        try? namespace.delete()
        try namespace.create()
        for (name, index) in [("mtptlow", low), ("mtpthigh", high), ("mtptunset", unset)] {
            try namespace.ip(["link", "add", name, "index", "\(index)", "type", "veth", "peer", "name", name + "p", "index", "\(index + 1)"])
            try namespace.ip(["link", "set", name, "up"])
        }
    }

    override func tearDown() {
        try? namespace.delete()
    }

    /// What `body` hands back and the body itself, across to the thread that runs it.
    private final class Handoff: @unchecked Sendable {
        let body: () throws -> [String?]
        var result: Result<[String?], Error>?
        init(_ body: @escaping () throws -> [String?]) { self.body = body }
    }

    /// The points of the request's events at each device, run on a thread of its own inside the
    /// namespace (setns moves only the calling thread).
    func points(_ runner: FrameRunner, at devices: [UInt32]) throws -> [String?] {
        let frame = Requests.packet(Requests.http([("traceparent", Requests.traceparent)])).frame
        let handoff = Handoff {
            try devices.map { device in
                let events = try runner.events(for: frame, ifindex: device)
                guard events.count == 1 else { throw RunnerError.usage("\(events.count) events at ifindex \(device)") }
                return events[0].point
            }
        }
        let done = DispatchSemaphore(value: 0)
        let namespace = namespace
        Thread {
            handoff.result = Result { try namespace.enter(); return try handoff.body() }
            done.signal()
        }.start()
        done.wait()
        return try XCTUnwrap(handoff.result).get()
    }

    func testPointsOnBothSidesOfTheArrayLimit() throws {
        let runner = try Generated.runner(.init(spec: "mesh"))
        let points = runner.object.manifest.spec.points.map(\.name)
        XCTAssertEqual(points, ["nic", "vport"])
        try runner.object.maps.points.set(ifindex: low, point: 0)
        try runner.object.maps.points.set(ifindex: high, point: 1)
        XCTAssertEqual(try self.points(runner, at: [low, high, unset]), ["nic", "vport", nil], "array, hash, neither: no point")
        try runner.object.maps.points.set(ifindex: low, point: 1)
        try runner.object.maps.points.remove(ifindex: high)
        XCTAssertEqual(try self.points(runner, at: [low, high]), ["vport", nil], "moved and released")
    }
}
