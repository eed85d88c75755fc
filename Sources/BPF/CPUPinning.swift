import Foundation

/// Pins the calling thread to one CPU. BPF_PROG_TEST_RUN runs a tc program on the calling CPU
/// (migration disabled for the whole run) unless BPF_F_TEST_RUN_ON_CPU asks for another, which
/// tc programs do not support: pinning the caller keeps a run's figures, and the per-CPU maps
/// its programs leave behind, on one CPU.
public enum CPUPinning {
    /// glibc declares these under _GNU_SOURCE only, which Swift's Glibc module does not see.
    private typealias Affinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
    private typealias GetCPU = @convention(c) () -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) throws -> T {
        guard let address = dlsym(dlopen(nil, RTLD_NOW), name) else {
            throw BPFError.pinning(cause: "libc has no \(name)")
        }
        return unsafeBitCast(address, to: type)
    }

    /// The calling thread's CPU set, a cpu_set_t of 1024 bits.
    private static func affinity() throws -> [UInt64] {
        var set = [UInt64](repeating: 0, count: 16)
        let getAffinity = try symbol("sched_getaffinity", as: Affinity.self)
        let status = set.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress!) }
        guard status == 0 else { throw BPFError.system(operation: "sched_getaffinity", errno: errno) }
        return set
    }

    private static func setAffinity(_ set: [UInt64], operation: String) throws {
        var set = set
        let setAffinity = try symbol("sched_setaffinity", as: Affinity.self)
        let status = set.withUnsafeMutableBytes { setAffinity(0, $0.count, $0.baseAddress!) }
        guard status == 0 else { throw BPFError.system(operation: operation, errno: errno) }
    }

    public static func pin(to cpu: Int) throws {
        var set = [UInt64](repeating: 0, count: 16)
        guard cpu >= 0, cpu < set.count * 64 else { throw BPFError.pinning(cause: "CPU \(cpu) is out of range") }
        set[cpu / 64] |= 1 << UInt64(cpu % 64)
        try setAffinity(set, operation: "sched_setaffinity to CPU \(cpu)")
        let running = try symbol("sched_getcpu", as: GetCPU.self)()
        guard running == Int32(cpu) else { throw BPFError.pinning(cause: "pinned to CPU \(cpu) but running on \(running)") }
    }

    /// Runs `body` pinned to `cpu`, and gives the thread its CPU set back after (an error if it
    /// cannot: the thread would stay on one CPU unseen).
    public static func onCPU<T>(_ cpu: Int, _ body: () throws -> T) throws -> T {
        let before = try affinity()
        try pin(to: cpu)
        let result = Result { try body() }
        try setAffinity(before, operation: "sched_setaffinity back to the thread's CPU set")
        return try result.get()
    }
}
