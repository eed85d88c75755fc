import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// tcpdump on one of a testbed's interfaces, writing a pcap; `stop()` decodes it with `-nn -A`
/// (VXLAN on UDP 4789 decoded down to the inner frame's payload).
public final class PacketCapture: @unchecked Sendable {
    public let namespace: String
    public let interface: String
    /// The pcap file; removed by `stop()` unless asked to keep it, and by the testbed's `down()`.
    public let file: URL
    /// What tcpdump said at its stop it could not take from the kernel ("N packets dropped by
    /// kernel"): a reference that lost packets says so. Nil before `stop()`, or when it said nothing.
    public private(set) var droppedByKernel: Int?
    private let process: BackgroundProcess

    /// Starts tcpdump on `interface` in `namespace` with a pcap-filter expression given as words
    /// (e.g. `["udp", "port", "4789"]`), and returns once it is listening.
    public init(testbed: Testbed, namespace: String, interface: String, filter: [String] = []) throws {
        _ = try ProgramLookup.path("tcpdump")
        let directory = testbed.stateDirectory.appendingPathComponent("captures", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        file = directory.appendingPathComponent("\(interface)-\(UInt32.random(in: 0...UInt32.max)).pcap")
        // --immediate-mode -U: hand over and write each packet as it arrives (a stop would otherwise lose the
        // last buffered block); -Z root: do not drop to the tcpdump user, who may not write the state directory;
        // nanosecond timestamps: the latencies compared with them are tens of microseconds; -B 16384: a 16 MiB
        // ring, where the default 2 MiB holds few of the 64 KB frames an interface with offloads on hands over.
        process = try testbed.start(in: namespace, "tcpdump", [
            "--immediate-mode", "--time-stamp-precision=nano", "-B", "16384", "-i", interface, "-nn", "-s", "0", "-U", "-Z", "root",
            "-w", file.path,
        ] + filter, label: "tcpdump-\(interface)")
        self.namespace = namespace
        self.interface = interface
        do {
            try process.waitForOutput(containing: "listening on", timeout: 10)
        } catch {
            process.stop()
            throw error
        }
    }

    /// Stops the capture and returns `tcpdump -nn -A -r` of what it saw.
    public func stop(keepFile: Bool = false) throws -> String {
        // Let packets still in flight reach the socket before tcpdump goes.
        Thread.sleep(forTimeInterval: 0.2)
        process.stop(signal: SIGINT)
        droppedByKernel = process.output().split(separator: "\n").first { $0.hasSuffix("packets dropped by kernel") }
            .flatMap { Int($0.split(separator: " ").first ?? "") }
        defer { if !keepFile { try? FileManager.default.removeItem(at: file) } }
        return try Command.run(["tcpdump", "-nn", "-A", "-r", file.path]).check().stdout
    }
}
