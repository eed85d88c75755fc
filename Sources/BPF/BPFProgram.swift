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
    /// The program's file descriptor once loaded, else negative.
    public var fd: Int32 { bpf_program__fd(handle) }

    /// The instructions the verifier processed, once loaded (Linux 5.16 and later).
    public var verifiedInstructions: Int? {
        guard fd >= 0 else { return nil }
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        guard bpf_obj_get_info_by_fd(fd, &info, &length) == 0 else { return nil }
        return Int(info.verified_insns)
    }

    /// Runs the loaded program once on `frame` with BPF_PROG_TEST_RUN; returns its return value.
    @discardableResult
    public func testRun(frame: [UInt8], repeat count: Int = 1) throws -> (returnValue: UInt32, durationNs: UInt32) {
        var opts = bpf_test_run_opts()
        opts.sz = MemoryLayout<bpf_test_run_opts>.size
        opts.repeat = Int32(count)
        var output = [UInt8](repeating: 0, count: max(frame.count, 64) + 256)
        let status = frame.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out -> Int32 in
                opts.data_in = input.baseAddress
                opts.data_size_in = UInt32(input.count)
                opts.data_out = out.baseAddress
                opts.data_size_out = UInt32(out.count)
                return bpf_prog_test_run_opts(fd, &opts)
            }
        }
        guard status == 0 else { throw BPFError.system(operation: "BPF_PROG_TEST_RUN of \(name)", errno: errno) }
        return (opts.retval, opts.duration)
    }
}
