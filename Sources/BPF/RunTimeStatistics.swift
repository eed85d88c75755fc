import CLibBPF
import Glibc

/// The kernel's run-time statistics of BPF programs (each program's run count and ns), on for as
/// long as this lives: BPF_ENABLE_STATS (Linux 5.8, CAP_SYS_ADMIN) hands back a file descriptor
/// that keeps them on until it is closed. They cost the kernel two clock reads a run, so they are
/// off unless asked for.
public final class RunTimeStatistics {
    private let fd: Int32

    public init() throws {
        let fd = bpf_enable_stats(BPF_STATS_RUN_TIME)
        guard fd >= 0 else { throw BPFError.system(operation: "turning on the kernel's BPF run-time statistics (BPF_ENABLE_STATS)", errno: errno) }
        self.fd = fd
    }

    deinit {
        close(fd)
    }
}

extension ProgramRunStatistics {
    /// The figures of a loaded program's file descriptor; nil when the kernel does not say.
    static func of(fd: Int32) -> ProgramRunStatistics? {
        withZeroed(bpf_prog_info.self) { info in
            var length = UInt32(MemoryLayout<bpf_prog_info>.stride)
            guard bpf_obj_get_info_by_fd(fd, info, &length) == 0 else { return nil }
            return ProgramRunStatistics(runs: info.pointee.run_cnt, nanoseconds: info.pointee.run_time_ns)
        }
    }

    /// The figures of any loaded program, by the id the kernel gave it (as `tc filter show` names
    /// the program a filter runs).
    public static func ofProgram(id: UInt32) throws -> ProgramRunStatistics {
        let fd = bpf_prog_get_fd_by_id(id)
        guard fd >= 0 else { throw BPFError.system(operation: "opening BPF program \(id)", errno: errno) }
        defer { close(fd) }
        guard let statistics = of(fd: fd) else { throw BPFError.system(operation: "reading BPF program \(id)'s information", errno: errno) }
        return statistics
    }
}

/// What the kernel counted of one program while run-time statistics were on: its runs and the ns
/// they took by the kernel's clock. A tail-called program's time is counted in the program that
/// called it: the hook's program accounts for its whole chain.
public struct ProgramRunStatistics: Codable, Sendable, Equatable {
    public var runs: UInt64
    public var nanoseconds: UInt64

    public init(runs: UInt64, nanoseconds: UInt64) {
        self.runs = runs
        self.nanoseconds = nanoseconds
    }

    /// Mean ns a run (0 before the first).
    public var nanosecondsPerRun: Double { runs > 0 ? Double(nanoseconds) / Double(runs) : 0 }
}
