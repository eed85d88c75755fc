import BPF
import ObjectModel
import Spec

/// The maps of a loaded object, each resolved once from its `MapSymbol`, the way a bpftool
/// skeleton's members stand for an object's maps: the rest of the runner never names a map.
public struct ObjectMaps {
    public let events: BPFMap
    public let points: TracingPointMap
    public let counters: BPFMap
    public let tailCalls: BPFMap
    /// Requests whose search goes on in their flow's next segment (LRU, by inner 5-tuple and
    /// point); present when the record has `.segment`.
    public let requests: BPFMap?
    /// Present when the spec has tables.
    public let tableDefaults: BPFMap?
    /// By the spec's table name.
    public let tables: [String: BPFMap]

    init(_ bpf: BPFObject, spec: SpecIR, path: String) throws {
        func resolve(_ symbol: MapSymbol) throws -> BPFMap {
            guard let map = bpf.map(named: symbol.name) else {
                throw RunnerError.object(path: path, reason: "it lacks map \(symbol.name), which its manifest implies")
            }
            return map
        }
        events = try resolve(.events)
        points = TracingPointMap(direct: try resolve(.pointsDirect), hashed: try resolve(.points))
        counters = try resolve(.counters)
        tailCalls = try resolve(.tailCalls)
        requests = spec.record.followsSplitRequests ? try resolve(.requests) : nil
        tableDefaults = spec.tables.isEmpty ? nil : try resolve(.tableDefaults)
        tables = try Dictionary(uniqueKeysWithValues: spec.tables.map { ($0.name, try resolve(.table($0.name))) })
    }
}

/// The programs of a loaded object, resolved once from the manifest's `ProgramSymbol`s.
public struct ObjectPrograms {
    public let ingress: BPFProgram
    public let egress: BPFProgram
    /// The tail-call chain, in `mt_progs` order.
    public let chain: [(symbol: ProgramSymbol, program: BPFProgram)]

    init(_ bpf: BPFObject, manifest: ObjectManifest, path: String) throws {
        func resolve(_ symbol: ProgramSymbol) throws -> BPFProgram {
            guard let program = bpf.program(named: symbol.name) else {
                throw RunnerError.object(path: path, reason: "its manifest names program \(symbol.name), which it lacks")
            }
            return program
        }
        for hook in Hook.allCases where manifest.entries[hook.rawValue] != .entry(hook) {
            throw RunnerError.object(path: path, reason: "its manifest has no entry program for tc \(hook.rawValue)")
        }
        ingress = try resolve(.entry(.ingress))
        egress = try resolve(.entry(.egress))
        chain = try manifest.tailCalls.map { ($0, try resolve($0)) }
    }

    public func entry(for hook: Hook) -> BPFProgram {
        switch hook {
        case .ingress: ingress
        case .egress: egress
        }
    }
}
