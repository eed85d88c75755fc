import CLibPcap
import Foundation

/// Writes Ethernet frames to a pcap file with libpcap (nanosecond timestamps), for reproducers
/// that `meshtrace-run OBJ --replay FILE` and `CaptureReader` read back.
public enum CaptureWriter {
    public static func write(_ frames: [CapturedFrame], to path: String) throws {
        guard let dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262_144, UInt32(PCAP_TSTAMP_PRECISION_NANO)) else {
            throw CaptureReader.Failure(description: "cannot open a pcap handle to write '\(path)'")
        }
        defer { pcap_close(dead) }
        guard let dumper = pcap_dump_open(dead, path) else {
            throw CaptureReader.Failure(description: "cannot write capture '\(path)': \(String(cString: pcap_geterr(dead)))")
        }
        for frame in frames {
            var header = pcap_pkthdr()
            header.ts.tv_sec = Int(frame.timestampNs / 1_000_000_000)
            // With nanosecond precision libpcap keeps nanoseconds in tv_usec.
            header.ts.tv_usec = Int(frame.timestampNs % 1_000_000_000)
            header.caplen = UInt32(frame.bytes.count)
            header.len = UInt32(frame.bytes.count)
            frame.bytes.withUnsafeBufferPointer { bytes in
                withUnsafePointer(to: &header) { pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), $0, bytes.baseAddress) }
            }
        }
        pcap_dump_close(dumper)
    }

    public static func write(frames: [[UInt8]], to path: String) throws {
        try write(frames.enumerated().map { CapturedFrame(timestampNs: UInt64($0.offset) * 1000, bytes: $0.element) }, to: path)
    }
}
