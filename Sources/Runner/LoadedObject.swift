import BPF
import Codegen
import Foundation
import Spec

/// A generated object loaded into the kernel with its tail-call chain wired from its manifest.
public final class LoadedObject {
    public let manifest: ObjectManifest
    public let bpf: BPFObject
    public let layout: EventLayout

    public init(path: String) throws {
        manifest = try ManifestReader.read(objectAt: path)
        layout = EventLayout(manifest.spec)
        guard Capabilities.canLoadBPF else {
            throw RunnerError.privilege("loading BPF programs needs root (CAP_BPF and CAP_NET_ADMIN)")
        }
        do {
            bpf = try BPFObject(path: path)
            try bpf.load()
        } catch let error as BPFError {
            throw RunnerError.object(path: path, reason: error.description)
        }
        try wireTailCalls()
        try TableFiller.fill(self)
    }

    private func wireTailCalls() throws {
        guard let progs = bpf.map(named: "mt_progs") else { return }
        for (index, name) in manifest.tailCalls.enumerated() {
            guard let program = bpf.program(named: name) else {
                throw RunnerError.object(path: name, reason: "its manifest names program \(name), which it lacks")
            }
            try progs.update(key: UInt32(index).bytes, value: UInt32(bitPattern: program.fd).bytes)
        }
    }

    public func entry(for hook: Hook) throws -> BPFProgram {
        guard let name = manifest.entries[hook.rawValue], let program = bpf.program(named: name) else {
            throw RunnerError.object(path: manifest.spec.name, reason: "it has no entry program for tc \(hook.rawValue)")
        }
        return program
    }

    /// Kernel-side counters, summed over CPUs, by index (see the templates' MT_COUNTER_* enum).
    public func counters() throws -> [UInt64] {
        guard let map = bpf.map(named: "mt_counters") else { return [] }
        let entries = map.maxEntries
        return try (0..<entries).map { index in
            let values = try map.lookup(key: UInt32(index).bytes, perCPU: true)
            return stride(from: 0, to: values.count, by: 8).reduce(UInt64(0)) { sum, offset in
                sum + values[offset..<(offset + 8)].littleEndianInteger
            }
        }
    }
}

extension UInt32 {
    var bytes: [UInt8] { withUnsafeBytes(of: littleEndian) { Array($0) } }
}

extension ArraySlice where Element == UInt8 {
    var littleEndianInteger: UInt64 {
        enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
}
