import CLibBPF
import Foundation

/// One program of a `BPFObject`.
public struct BPFProgram {
    let handle: OpaquePointer
    unowned let object: BPFObject

    public var name: String { String(cString: bpf_program__name(handle)) }
    public var section: String { String(cString: bpf_program__section_name(handle)) }
    /// Instructions as compiled (libbpf counts them without loading).
    public var instructionCount: Int { bpf_program__insn_cnt(handle) }
    /// The instructions as compiled, before loading.
    public var instructions: [bpf_insn] {
        guard let start = bpf_program__insns(handle) else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: instructionCount))
    }

    /// The program's file descriptor once loaded, else negative.
    public var fd: Int32 { bpf_program__fd(handle) }

    /// The instructions the verifier processed, once loaded (Linux 5.16 and later).
    public var verifiedInstructions: Int? {
        guard fd >= 0 else { return nil }
        return withZeroed(bpf_prog_info.self) { info in
            var length = UInt32(MemoryLayout<bpf_prog_info>.stride)
            return bpf_obj_get_info_by_fd(fd, info, &length) == 0 ? Int(info.pointee.verified_insns) : nil
        }
    }

    /// Its runs and their ns since it was loaded, as the kernel counts them while its run-time
    /// statistics are on (`RunTimeStatistics`); nil before it is loaded or when the kernel does
    /// not say.
    public var runStatistics: ProgramRunStatistics? {
        fd >= 0 ? ProgramRunStatistics.of(fd: fd) : nil
    }

    /// Runs the loaded program on `frame` with BPF_PROG_TEST_RUN; returns its return value, the
    /// kernel's mean run time in whole ns, and the ns the call took as the calling thread's
    /// monotonic clock saw it (the frame's set-up included). The skb is on the loopback device, or
    /// on `ifindex` (a device of the calling thread's network namespace).
    @discardableResult
    public func testRun(frame: [UInt8], repeat count: Int = 1, ifindex: UInt32? = nil) throws -> (returnValue: UInt32, durationNs: UInt32, elapsedNs: UInt64) {
        var output = [UInt8](repeating: 0, count: max(frame.count, 64) + 256)
        return try frame.withUnsafeBytes { input in
            try output.withUnsafeMutableBytes { out in
                try withZeroed(__sk_buff.self) { context in
                    try withZeroed(bpf_test_run_opts.self) { opts in
                        opts.pointee.sz = MemoryLayout<bpf_test_run_opts>.stride
                        opts.pointee.repeat = Int32(count)
                        opts.pointee.data_in = input.baseAddress
                        opts.pointee.data_size_in = UInt32(input.count)
                        opts.pointee.data_out = out.baseAddress
                        opts.pointee.data_size_out = UInt32(out.count)
                        if let ifindex {
                            context.pointee.ifindex = ifindex
                            opts.pointee.ctx_in = UnsafeRawPointer(context)
                            opts.pointee.ctx_size_in = UInt32(MemoryLayout<__sk_buff>.size)
                        }
                        let start = DispatchTime.now().uptimeNanoseconds
                        guard bpf_prog_test_run_opts(fd, opts) == 0 else {
                            throw BPFError.system(operation: "BPF_PROG_TEST_RUN of \(name)", errno: errno)
                        }
                        let elapsed = DispatchTime.now().uptimeNanoseconds - start
                        return (opts.pointee.retval, opts.pointee.duration, elapsed)
                    }
                }
            }
        }
    }

    /// Mean ns per run of `count` (at least 2) runs of `frame`, to a fraction of a ns: the time
    /// of `count` runs less that of one, both taken around the call, over `count - 1`, so the
    /// frame's set-up drops out. The kernel's own figure is whole ns, and a 7 ns program's
    /// 7 is anything from 7.0 to 7.99. The return value is the last run's.
    ///
    /// A preemption only ever lengthens a call; in the single run it would make the figure too
    /// small, even negative, and a best-of-rounds would pick it. So the single run is the least
    /// of three calls, and a figure that is still not positive is taken again (three tries, then
    /// an error that says so).
    public func nanosecondsPerRun(frame: [UInt8], repeat count: Int) throws -> (returnValue: UInt32, ns: Double) {
        precondition(count >= 2, "a run time to a fraction of a ns takes at least 2 repetitions, not \(count)")
        for _ in 0..<3 {
            var one = UInt64.max
            for _ in 0..<3 { one = min(one, try testRun(frame: frame, repeat: 1).elapsedNs) }
            let many = try testRun(frame: frame, repeat: count)
            let ns = (Double(many.elapsedNs) - Double(one)) / Double(count - 1)
            if ns > 0 { return (many.returnValue, ns) }
        }
        throw BPFError.timing(program: name, cause: "\(count) runs took no longer than one in three tries: the machine is preempting the runs")
    }
}
