import ConformanceVectors
import Foundation
import ObjectModel
import Runner
import Spec
import TestSupport
import TraceContexts
import XCTest

/// Every vector of Tests/Conformance through the kernel: one object of specs/mesh.swift with every
/// format the vectors use per placement and profile, each vector's request as a real frame through BPF_PROG_TEST_RUN, the
/// ring-buffer event decoded by the runner's EventDecoder, the verdict by ContextParser. The
/// records must be exactly what the vectors' kernel contract (KernelView) says, and the verdict
/// and ids what the vector expects.
final class KernelConformanceTests: XCTestCase {
    static let spec = "every-format"

    /// specs/mesh.swift searching for every format the vectors use, the file's defaults first (a
    /// format whose headers an earlier one has, W3C without tracestate, adds nothing).
    static func registerSpec(_ vectors: Vectors) throws {
        var formats: [TraceContextFormat] = []
        for vector in vectors.cases {
            for format in try vectors.formats(of: vector) {
                let taken = Set(formats.flatMap(\.headers).map(\.name))
                if !format.headers.contains(where: { taken.contains($0.name) }) { formats.append(format) }
            }
        }
        var ir = try Generated.ir("mesh")
        ir.name = spec
        ir.search.formats = formats
        Generated.register(ir, as: spec)
    }

    /// Fixed placement needs no deep window (the context follows Host); 2 KiB is what the unrolled
    /// profile fits with ten context headers. Anywhere: the issue's 4 KiB.
    static func window(_ placement: Placement) -> Int { placement == .fixed ? 2048 : 4096 }

    func testEveryVectorInEveryPlacementAndProfile() throws {
        try Generated.requireRoot()
        let vectors = try Vectors.load()
        try Self.registerSpec(vectors)
        var summary: [String] = []
        for placement in Placement.allCases {
            for profile in LoopProfile.allCases {
                let configuration = Generated.Configuration(spec: Self.spec, window: Self.window(placement), placement: placement, profile: profile)
                let runner = try Generated.runner(configuration)
                if placement == .fixed, profile == .unrolled {
                    print("kernel vectors: formats \(runner.decoder.spec.search.formats.map(\.label).joined(separator: ", "))")
                }
                let contextNames = Set(runner.decoder.layout.contextHeaders.map(\.name))
                let label = "\(placement.rawValue)/\(profile.rawValue)"
                var passed: [String: Int] = [:]
                for vector in vectors.cases {
                    let formats = try vectors.formats(of: vector)
                    let events = try runner.events(for: VectorRequest.frame(VectorRequest.http(vector, placement: placement, contextNames: contextNames)))
                    var failures: [String] = []
                    if events.count > 1 { failures.append("\(events.count) events for one request") }
                    let observed = events.first?.observedHeaders ?? []
                    // The kernel records every header of the object's formats; the vector's contract is per its own formats.
                    let expected = KernelView.observe(vector.headers, formats: runner.decoder.spec.search.formats)
                    if Set(observed) != Set(expected) {
                        failures.append("kernel recorded \(observed.sorted { $0.name < $1.name }), the contract says \(expected.sorted { $0.name < $1.name })")
                    }
                    failures += vector.expect.mismatches(ContextParser(formats: formats).verdict(for: observed))
                    if failures.isEmpty {
                        passed[vector.suite, default: 0] += 1
                    } else {
                        XCTFail("\(label) \(vector.suite) / \(vector.name): \(failures.joined(separator: "; "))")
                    }
                }
                let perSuite = vectors.suites.map { suite in
                    "\(suite.suite) \(passed[suite.suite] ?? 0)/\(vectors.cases.filter { $0.suite == suite.suite }.count)"
                }
                summary.append("kernel vectors \(label): \(passed.values.reduce(0, +))/\(vectors.cases.count) passed (\(perSuite.joined(separator: ", ")))")
            }
        }
        print(summary.joined(separator: "\n"))
    }
}
