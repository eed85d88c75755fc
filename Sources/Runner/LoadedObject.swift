import BPF
import Foundation
import ObjectModel
import Spec

/// A generated object loaded into the kernel: its manifest, its maps and programs reached through
/// typed bindings, its tail-call chain wired and its tables' defaults written.
public final class LoadedObject {
    public let manifest: ObjectManifest
    public let bpf: BPFObject
    public let layout: EventLayout
    public let maps: ObjectMaps
    public let programs: ObjectPrograms

    public init(path: String) throws {
        manifest = try ManifestReader.read(objectAt: path)
        do {
            layout = try EventLayout(manifest.spec)
        } catch let inconsistency as SpecDiagnostic {
            throw RunnerError.object(path: path, reason: "its manifest's spec is inconsistent: \(inconsistency)")
        }
        guard Capabilities.canLoadBPF else {
            throw RunnerError.privilege("loading BPF programs needs root (CAP_BPF and CAP_NET_ADMIN)")
        }
        do {
            bpf = try BPFObject(path: path)
            try bpf.load()
        } catch let error as BPFError {
            throw RunnerError.object(path: path, reason: error.description)
        }
        maps = try ObjectMaps(bpf, spec: manifest.spec, path: path)
        programs = try ObjectPrograms(bpf, manifest: manifest, path: path)
        for (index, link) in programs.chain.enumerated() {
            try maps.tailCalls.update(key: UInt32(index).bytes, value: UInt32(bitPattern: link.program.fd).bytes)
        }
        try TableFiller.fill(self)
    }

    /// Kernel-side counters, summed over CPUs, by `KernelCounter` index: one per-CPU value of
    /// every counter (`struct mt_counts`).
    public func counters() throws -> [UInt64] {
        let map = maps.counters
        let count = map.valueSize / 8
        let cpuStride = (map.valueSize + 7) & ~7
        let values = try map.lookup(key: UInt32(0).bytes, perCPU: true)
        return (0..<count).map { index in
            stride(from: index * 8, to: values.count, by: cpuStride).reduce(UInt64(0)) { sum, offset in
                sum + values[offset..<(offset + 8)].littleEndianInteger
            }
        }
    }

    /// The counters by name, for reports.
    public func namedCounters() throws -> [String: UInt64] {
        let values = try counters()
        return Dictionary(uniqueKeysWithValues: KernelCounter.allCases.filter { $0.rawValue < values.count }.map { ($0.label, values[$0.rawValue]) })
    }
}

extension FixedWidthInteger {
    /// Little-endian bytes, as a map's key or value holds the number.
    var bytes: [UInt8] { withUnsafeBytes(of: littleEndian) { Array($0) } }
}

extension ArraySlice where Element == UInt8 {
    var littleEndianInteger: UInt64 {
        enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
}
