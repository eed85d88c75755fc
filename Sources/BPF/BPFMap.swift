import CLibBPF
import Foundation

/// One map of a `BPFObject`.
public struct BPFMap {
    let handle: OpaquePointer

    public var name: String { String(cString: bpf_map__name(handle)) }
    public var fd: Int32 { bpf_map__fd(handle) }
    public var valueSize: Int { Int(bpf_map__value_size(handle)) }
    public var keySize: Int { Int(bpf_map__key_size(handle)) }
    public var maxEntries: Int { Int(bpf_map__max_entries(handle)) }

    /// Writes `value` at `key` (raw bytes, the map's own sizes).
    public func update(key: [UInt8], value: [UInt8]) throws {
        let status = key.withUnsafeBytes { k in value.withUnsafeBytes { v in bpf_map_update_elem(fd, k.baseAddress, v.baseAddress, 0) } }
        guard status == 0 else { throw BPFError.system(operation: "update of map \(name)", errno: errno) }
    }

    /// Removes the entry at `key`; one that is not there (ENOENT) is no error.
    public func delete(key: [UInt8]) throws {
        let status = key.withUnsafeBytes { bpf_map_delete_elem(fd, $0.baseAddress) }
        guard status == 0 || errno == ENOENT else { throw BPFError.system(operation: "delete from map \(name)", errno: errno) }
    }

    /// The value at `key`, nil when there is none (ENOENT).
    public func value(at key: [UInt8]) throws -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: valueSize)
        let status = key.withUnsafeBytes { k in value.withUnsafeMutableBytes { v in bpf_map_lookup_elem(fd, k.baseAddress, v.baseAddress) } }
        if status == 0 { return value }
        guard errno == ENOENT else { throw BPFError.system(operation: "lookup in map \(name)", errno: errno) }
        return nil
    }

    /// Reads the value at `key`; for per-CPU maps, one value per possible CPU, concatenated.
    public func lookup(key: [UInt8], perCPU: Bool = false) throws -> [UInt8] {
        let cpus = perCPU ? Int(libbpf_num_possible_cpus()) : 1
        // Per-CPU values are laid out 8-byte aligned.
        let stride = perCPU ? (valueSize + 7) & ~7 : valueSize
        var value = [UInt8](repeating: 0, count: stride * cpus)
        let status = key.withUnsafeBytes { k in value.withUnsafeMutableBytes { v in bpf_map_lookup_elem(fd, k.baseAddress, v.baseAddress) } }
        guard status == 0 else { throw BPFError.system(operation: "lookup in map \(name)", errno: errno) }
        return value
    }
}
