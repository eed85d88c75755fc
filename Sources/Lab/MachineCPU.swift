import Foundation

/// The CPU time the whole machine has spent busy, from /proc/stat's first line: user, nice,
/// system, irq and softirq (idle, iowait and steal are not work of ours; guest time is already
/// inside user). The testbed's nodes and pods share this machine, so over a load phase it is the
/// CPU every part of the request's path took, tracing included when it is on.
enum MachineCPU {
    static func busySeconds() throws -> Double {
        let stat = try String(contentsOfFile: "/proc/stat", encoding: .utf8)
        guard let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ") else {
            throw LabError.unexpectedOutput("/proc/stat: \(stat.prefix(80))")
        }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        // user nice system idle iowait irq softirq steal ...
        guard ticks.count >= 7 else { throw LabError.unexpectedOutput("/proc/stat: \(line)") }
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]
        return Double(busy) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
