import CLibPcap
import Foundation

/// One frame of a capture file, with its capture timestamp.
public struct CapturedFrame: Sendable {
    public var timestampNs: UInt64
    public var bytes: [UInt8]
}

/// Reads pcap and pcapng files with libpcap.
public enum CaptureReader {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func frames(in path: String) throws -> [CapturedFrame] {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer) else {
            throw Failure(description: "cannot read capture '\(path)': \(String(cString: errorBuffer))")
        }
        defer { pcap_close(handle) }
        guard pcap_datalink(handle) == DLT_EN10MB else {
            throw Failure(description: "capture '\(path)' is not Ethernet (link type \(pcap_datalink(handle)))")
        }
        var frames: [CapturedFrame] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(handle, &header, &data)
            if status == PCAP_ERROR_BREAK { break }
            guard status == 1, let header, let data else {
                if status == 0 { continue }
                throw Failure(description: "capture '\(path)' is corrupted: \(String(cString: pcap_geterr(handle)))")
            }
            let timestamp = UInt64(header.pointee.ts.tv_sec) * 1_000_000_000 + UInt64(header.pointee.ts.tv_usec)
            frames.append(CapturedFrame(timestampNs: timestamp, bytes: Array(UnsafeBufferPointer(start: data, count: Int(header.pointee.caplen)))))
        }
        return frames
    }
}
