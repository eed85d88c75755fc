import Foundation

/// Whether this process may load BPF programs: CAP_SYS_ADMIN, or CAP_BPF with CAP_NET_ADMIN for tc.
/// Asked up front, because the verifier's own EACCES/EPERM answers cannot be told from a
/// missing privilege by their error code.
public enum Capabilities {
    static let sysAdmin = 21, netAdmin = 12, bpf = 39

    public static var canLoadBPF: Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let mask = UInt64(line.split(separator: "\t").last ?? "", radix: 16) else {
            return geteuid() == 0
        }
        func has(_ bit: Int) -> Bool { mask & (1 << UInt64(bit)) != 0 }
        return has(sysAdmin) || (has(bpf) && has(netAdmin))
    }
}
