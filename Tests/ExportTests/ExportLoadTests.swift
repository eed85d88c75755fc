#if canImport(Glibc)
import Export
import Glibc
import TestSupport
import XCTest
#endif

/// Memory while exporting flat out to a collector that is down. (Throughput is measured in
/// release by meshtrace-export-bench; a debug build's figure would mislead.)
final class ExportLoadTests: XCTestCase {
    /// MESHTRACE_EXPORT_SOAK_SECONDS (default 10) of submitting as fast as one thread can to an
    /// endpoint where nothing listens: resident memory stays flat once the queue is full.
    func testMemoryStaysFlatWhileTheCollectorIsDown() throws {
        let seconds = Double(ProcessInfo.processInfo.environment["MESHTRACE_EXPORT_SOAK_SECONDS"] ?? "") ?? 10
        let exporter = try OTLPExporter(options: .init(endpoint: URL(string: "http://127.0.0.1:\(try Loopback.freePort())")!),
                                        clock: KernelClock())
        defer { exporter.shutdown(timeout: .zero) }
        let template = try Observations.hop()
        var samples: [Int] = []
        var submitted = 0
        let start = Date()
        var nextSample = start
        while Date().timeIntervalSince(start) < seconds {
            for _ in 0..<1_000 {
                var hop = template
                hop.tcpSequence = UInt64(submitted)
                exporter.submit(hop)
                submitted += 1
            }
            if Date() >= nextSample {
                samples.append(Self.residentKiB())
                nextSample += 1
            }
        }
        let counters = exporter.counters
        print("soak \(seconds) s, collector down: submitted \(submitted), dropped \(counters.dropped) "
              + "(queue full \(counters.droppedQueueFull), after retries \(counters.droppedAfterRetries)), "
              + "failed requests \(counters.failedRequests); RSS KiB per second: \(samples)")
        XCTAssertEqual(counters.exported, 0)
        XCTAssertGreaterThan(counters.droppedQueueFull, 0)
        // After the first second the queue is full; from then on memory must not grow.
        let settled = samples.dropFirst(2)
        XCTAssertLessThan((settled.max() ?? 0) - (settled.first ?? 0), 8 * 1024, "RSS grew: \(samples)")
    }

    private static func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
