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
        // nanosecond timestamps: the latencies compared with them are tens of microseconds.
        process = try testbed.start(in: namespace, "tcpdump", [
            "--immediate-mode", "--time-stamp-precision=nano", "-i", interface, "-nn", "-s", "0", "-U", "-Z", "root", "-w", file.path,
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
        defer { if !keepFile { try? FileManager.default.removeItem(at: file) } }
        return try Command.run(["tcpdump", "-nn", "-A", "-r", file.path]).check().stdout
    }
}
