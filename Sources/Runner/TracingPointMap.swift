import BPF
import ObjectModel

/// The object's ifindex → tracing point maps (`TracingPointMaps`): the array below its limit, the
/// hash above; each interface's point goes into exactly the one the program reads for it.
public struct TracingPointMap {
    let direct: BPFMap
    let hashed: BPFMap

    /// Stamps packets at `ifindex` with point `index` (the spec's, below `SpecValidator.maxTracingPoints`).
    public func set(ifindex: UInt32, point index: Int) throws {
        if ifindex < TracingPointMaps.directLimit {
            try direct.update(key: ifindex.bytes, value: [UInt8(index + 1)])
        } else {
            try hashed.update(key: ifindex.bytes, value: [UInt8(index)])
        }
    }

    /// Packets at `ifindex` carry no point any more.
    public func remove(ifindex: UInt32) throws {
        if ifindex < TracingPointMaps.directLimit {
            try direct.update(key: ifindex.bytes, value: [0])
        } else {
            try hashed.delete(key: ifindex.bytes)
        }
    }
}
