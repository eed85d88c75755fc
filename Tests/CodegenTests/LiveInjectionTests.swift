import Foundation
import Lab
import Spec
import TestSupport
import XCTest

/// Header blocks larger than BPF_PROG_TEST_RUN takes, sent for real: a 12 KB TCP request
/// leaves a jumbo-frame veth as one GSO packet (a non-linear skb), and meshtrace-run, attached at
/// that veth's egress with an 8 KiB window, must find the context near the window's end, in
/// every profile. Two namespaces of its own, 198.18.200.0/24, removed after the test.
final class LiveInjectionTests: XCTestCase {
    let client = "mtinj\(getpid() % 10000)c", server = "mtinj\(getpid() % 10000)s"
    let clientAddress = "198.18.200.1", serverAddress = "198.18.200.2"

    override func setUpWithError() throws {
        try Generated.requireRoot()
        tearDown()
        for namespace in [client, server] { try Command.run(["ip", "netns", "add", namespace]).check() }
        try Command.run(["ip", "-n", client, "link", "add", "mtinja", "type", "veth", "peer", "name", "mtinjb", "netns", server]).check()
        try Command.run(["ip", "-n", client, "addr", "add", "\(clientAddress)/24", "dev", "mtinja"]).check()
        try Command.run(["ip", "-n", server, "addr", "add", "\(serverAddress)/24", "dev", "mtinjb"]).check()
        // Jumbo frames: with a 1500-byte MTU, TCP's segmentation autosizing cuts a request into
        // GSO packets of about 7 KB; at 9000 one packet carries the whole 12 KB request.
        for (namespace, interface) in [(client, "mtinja"), (server, "mtinjb")] {
            try Command.run(["ip", "-n", namespace, "link", "set", interface, "mtu", "9000"]).check()
        }
        for (namespace, interface) in [(client, "mtinja"), (server, "mtinjb"), (client, "lo"), (server, "lo")] {
            try Command.run(["ip", "-n", namespace, "link", "set", interface, "up"]).check()
        }
    }

    override func tearDown() {
        for namespace in [client, server] { _ = try? Command.run(["ip", "netns", "del", namespace]) }
    }

    /// A request of `size` bytes whose traceparent line begins at byte `start`, in headers of at most ~1 KB.
    static func request(contextAt start: Int, size: Int, traceparent: String) -> Data {
        var head = "GET /productpage HTTP/1.1\r\n"
        func pad(_ target: Int) {
            var index = 0
            while head.utf8.count < target {
                let room = target - head.utf8.count
                let value = String(repeating: "p", count: max(1, min(1000, room - 14)))
                head += room >= 16 ? "x-pad-\(String(format: "%04d", index)): \(value)\r\n" : String(repeating: "q", count: room - 2) + "\r\n"
                index += 1
            }
        }
        pad(start)
        head += "traceparent: \(traceparent)\r\n"
        pad(size - 2)
        return Data((head + "\r\n").utf8)
    }

    static let serverScript = """
        import socket, sys
        listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((sys.argv[1], 8080)); listener.listen(8); print("listening", flush=True)
        while True:
            connection, _ = listener.accept(); data = b""
            while b"\\r\\n\\r\\n" not in data:
                chunk = connection.recv(65536)
                if not chunk: break
                data += chunk
            connection.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n"); connection.close()
        """

    static let clientScript = """
        import socket, sys
        s = socket.create_connection((sys.argv[1], 8080)); s.sendall(open(sys.argv[2], "rb").read()); s.recv(100); s.close()
        """

    func testEightKiBWindowOnRealGSOPackets() throws {
        let serverProcess = Process()
        serverProcess.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        serverProcess.arguments = ["netns", "exec", server, "python3", "-c", Self.serverScript, serverAddress]
        let serverOutput = Pipe()
        serverProcess.standardOutput = serverOutput
        try serverProcess.run()
        defer { serverProcess.terminate(); serverProcess.waitUntilExit() }
        _ = serverOutput.fileHandleForReading.availableData  // "listening"
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mtinj-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for profile in LoopProfile.allCases {
            let object = try Generated.output(.init(spec: "plain-http", window: 8192, placement: .anywhere, profile: profile)).object.path
            let runner = Process()
            runner.executableURL = URL(fileURLWithPath: try TracingRun.executable("meshtrace-run"))
            runner.arguments = [object, "--netns", client, "--point", "vport=mtinja", "--events"]
            let (stdout, stderr) = (Pipe(), Pipe())
            runner.standardOutput = stdout
            runner.standardError = stderr
            try runner.run()
            var said = ""
            while !said.contains("attached"), runner.isRunning { said += String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self) }
            var sent: [(start: Int, traceId: String)] = []
            for (index, start) in [100, 4000, 7000, 8150].enumerated() {
                let traceId = String(format: "%032x", 0xabc0 + index) 
                let file = work.appendingPathComponent("request-\(index)")
                try Self.request(contextAt: start, size: 12000, traceparent: "00-\(traceId)-00f067aa0ba902b7-01").write(to: file)
                try Command.run(["ip", "netns", "exec", client, "python3", "-c", Self.clientScript, serverAddress, file.path]).check()
                sent.append((start, traceId))
            }
            Thread.sleep(forTimeInterval: 0.5)
            runner.interrupt()
            runner.waitUntilExit()
            let lines = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            let events = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { $0["type"] as? String == "event" && $0["hook"] as? String == "egress" }
            let found = Set(events.compactMap { $0["trace_id"] as? String })
            for (start, traceId) in sent {
                XCTAssertTrue(found.contains(traceId), "\(profile.rawValue): context at byte \(start) of a 12 KB request, 8 KiB window; events: \(events.count)")
            }
            let biggest = events.compactMap { $0["payload_length"] as? Int }.max() ?? 0
            XCTAssertGreaterThan(biggest, 8192, "the request left as one GSO packet")
        }
    }
}
