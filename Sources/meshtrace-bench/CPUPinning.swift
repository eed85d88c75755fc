import Foundation

/// Pins the calling thread to one CPU. BPF_PROG_TEST_RUN runs a tc program on the calling CPU
/// (migration disabled for the whole run) unless BPF_F_TEST_RUN_ON_CPU asks for another, which
/// tc programs do not support: pinning the caller keeps every figure of a run on one CPU.
enum CPUPinning {
    /// glibc declares these under _GNU_SOURCE only, which Swift's Glibc module does not see.
    private typealias SetAffinity = @convention(c) (pid_t, Int, UnsafeRawPointer) -> Int32
    private typealias GetCPU = @convention(c) () -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) throws -> T {
        guard let address = dlsym(dlopen(nil, RTLD_NOW), name) else {
            throw BenchError("libc has no \(name)")
        }
        return unsafeBitCast(address, to: type)
    }

    static func pin(to cpu: Int) throws {
        // a cpu_set_t: 1024 bits
        var set = [UInt64](repeating: 0, count: 16)
        guard cpu >= 0, cpu < set.count * 64 else { throw BenchError("CPU \(cpu) is out of range") }
        set[cpu / 64] |= 1 << UInt64(cpu % 64)
        let setAffinity = try symbol("sched_setaffinity", as: SetAffinity.self)
        let status = set.withUnsafeBytes { setAffinity(0, $0.count, $0.baseAddress!) }
        guard status == 0 else { throw BenchError("sched_setaffinity to CPU \(cpu): \(String(cString: strerror(errno)))") }
        let running = try symbol("sched_getcpu", as: GetCPU.self)()
        guard running == Int32(cpu) else { throw BenchError("pinned to CPU \(cpu) but running on \(running)") }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
