import BPF
import Foundation
import Spec

/// Keeps the object attached at every interface its point bindings name: attaches at start
/// (removing what a killed runner left), attaches interfaces that appear later (a new pod),
/// lets go of ones that vanish or that the bindings no longer name (`retarget`, which
/// `--discover` calls after each scan), and detaches everything on `detachAll`.
public final class Attacher {
    private struct Attached {
        var interface: NetworkInterface
        var point: Int
        var attachments: [TCAttachment]
        var lock: InterfaceLock
    }

    let object: LoadedObject
    public private(set) var bindings: [PointBinding]
    /// Said after "attached POINT at IF": what else is known of the interface (discovery: its pod's namespace and IPs).
    public var detail: (NetworkInterface) -> String? = { _ in nil }
    private var attached: [Int32: Attached] = [:]
    /// Notes for the user (stale filters removed, interfaces gone), printed by the caller.
    public private(set) var notes: [String] = []

    public init(object: LoadedObject, bindings: [PointBinding]) throws {
        self.object = object
        self.bindings = bindings
        let points = object.manifest.spec.points.map(\.name)
        for binding in bindings where !points.contains(binding.point) {
            throw RunnerError.usage("the object's spec has no tracing point '\(binding.point)' (it has \(points.joined(separator: ", ")))")
        }
        let interfaces = InterfaceSet.current()
        for binding in bindings {
            for pattern in binding.patterns where !InterfaceSet.isGlob(pattern) && !interfaces.contains(where: { $0.name == pattern }) {
                throw RunnerError.interface("interface '\(pattern)' (for point \(binding.point)) does not exist in this network namespace")
            }
        }
    }

    public func takeNotes() -> [String] {
        defer { notes.removeAll() }
        return notes
    }

    /// Replaces the bindings; the next `refresh()` acts on the difference.
    public func retarget(_ bindings: [PointBinding]) {
        self.bindings = bindings
    }

    /// Attaches new matching interfaces, forgets vanished ones (the kernel took their filters
    /// with them) and detaches from those no binding names any more.
    public func refresh() throws {
        let interfaces = InterfaceSet.current()
        let present = Set(interfaces.map(\.index))
        for (index, entry) in attached where !present.contains(index) {
            notes.append("interface \(entry.interface.name) vanished; released")
            try forget(index)
        }
        for interface in interfaces {
            let binding = try self.binding(for: interface)
            if let entry = attached[interface.index] {
                // Same ifindex, same name, same point: nothing to do.
                if entry.interface == interface, binding?.point == object.manifest.spec.points[entry.point].name { continue }
                release(entry.attachments, ifindex: interface.index)
                try forget(interface.index)
                notes.append("released \(object.manifest.spec.points[entry.point].name) at \(entry.interface.name)")
            }
            if let binding { try attach(interface, pointName: binding.point) }
        }
    }

    private func binding(for interface: NetworkInterface) throws -> PointBinding? {
        let matching = bindings.filter { binding in binding.patterns.contains { InterfaceSet.matches($0, interface.name) } }
        if matching.count > 1 {
            throw RunnerError.usage("interface \(interface.name) matches points \(matching.map(\.point).joined(separator: " and ")); give each interface one point")
        }
        return matching.first
    }

    /// Drops an interface's entry, its lock (closing it releases the flock) and its point in the map.
    private func forget(_ index: Int32) throws {
        attached[index] = nil
        try object.maps.points.remove(ifindex: UInt32(bitPattern: index))
    }

    private func attach(_ interface: NetworkInterface, pointName: String) throws {
        let spec = object.manifest.spec
        guard let pointIndex = spec.points.firstIndex(where: { $0.name == pointName }) else { return }
        let lock = try InterfaceLock(interface: interface.name)
        var attachments: [TCAttachment] = []
        do {
            for hook in spec.points[pointIndex].hooks {
                let ingress = hook == .ingress
                if TCAttachment.attachedProgram(ifindex: interface.index, ingress: ingress) != nil {
                    TCAttachment.detach(ifindex: interface.index, ingress: ingress)
                    notes.append("removed a stale meshtrace filter from \(interface.name) \(hook.rawValue)")
                }
                let program = object.programs.entry(for: hook)
                attachments.append(try TCAttachment.attach(programFD: program.fd, ifindex: interface.index, ingress: ingress))
            }
            try object.maps.points.set(ifindex: UInt32(bitPattern: interface.index), point: pointIndex)
        } catch {
            release(attachments, ifindex: interface.index)
            if let error = error as? BPFError { throw RunnerError.attach(interface: interface.name, reason: error.description) }
            throw error
        }
        attached[interface.index] = Attached(interface: interface, point: pointIndex, attachments: attachments, lock: lock)
        notes.append("attached \(pointName) at \(interface.name)" + (detail(interface).map { " (\($0))" } ?? ""))
    }

    private func release(_ attachments: [TCAttachment], ifindex: Int32) {
        for attachment in attachments { attachment.detach() }
        if attachments.contains(where: \.createdQdisc) { TCAttachment.destroyQdisc(ifindex: ifindex) }
    }

    public func detachAll() {
        for (index, entry) in attached {
            release(entry.attachments, ifindex: index)
        }
        attached.removeAll()
    }

    deinit {
        detachAll()
    }
}
