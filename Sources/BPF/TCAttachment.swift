import CLibBPF
import Foundation

/// A BPF program attached as a direct-action clsact filter, identified by a handle and
/// priority meshtrace owns, so that a later run can find and remove what a killed one left.
public struct TCAttachment: Hashable, Sendable {
    public static let handle: UInt32 = 0x6d74  // "mt"
    public static let priority: UInt32 = 0x6d74

    public var ifindex: Int32
    public var ingress: Bool
    /// Whether this attachment created the clsact qdisc (and so removes it when it is the last user).
    public var createdQdisc: Bool

    /// Runs `body` with a hook and options for meshtrace's filter slot at this hook.
    private static func withSlot<R>(
        ifindex: Int32, attachPoint: bpf_tc_attach_point, programFD: Int32 = 0,
        _ body: (UnsafeMutablePointer<bpf_tc_hook>, UnsafeMutablePointer<bpf_tc_opts>) -> R
    ) -> R {
        withZeroed(bpf_tc_hook.self) { hook in
            withZeroed(bpf_tc_opts.self) { opts in
                hook.pointee.sz = MemoryLayout<bpf_tc_hook>.stride
                hook.pointee.ifindex = ifindex
                hook.pointee.attach_point = attachPoint
                opts.pointee.sz = MemoryLayout<bpf_tc_opts>.stride
                opts.pointee.handle = handle
                opts.pointee.priority = priority
                opts.pointee.prog_fd = programFD
                return body(hook, opts)
            }
        }
    }

    private static func attachPoint(ingress: Bool) -> bpf_tc_attach_point {
        ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS
    }

    /// Attaches `programFD` at the interface's ingress or egress.
    public static func attach(programFD: Int32, ifindex: Int32, ingress: Bool) throws -> TCAttachment {
        let (created, status) = withSlot(ifindex: ifindex, attachPoint: attachPoint(ingress: ingress), programFD: programFD) { hook, opts in
            let created = bpf_tc_hook_create(hook)
            guard created == 0 || created == -EEXIST else { return (created, Int32(0)) }
            return (created, bpf_tc_attach(hook, opts))
        }
        guard created == 0 || created == -EEXIST else {
            throw BPFError.system(operation: "creating the clsact qdisc", errno: -created)
        }
        guard status == 0 else { throw BPFError.system(operation: "attaching the tc filter", errno: -status) }
        return TCAttachment(ifindex: ifindex, ingress: ingress, createdQdisc: created == 0)
    }

    /// The id of the program in meshtrace's filter slot at this hook, if any.
    public static func attachedProgram(ifindex: Int32, ingress: Bool) -> UInt32? {
        withSlot(ifindex: ifindex, attachPoint: attachPoint(ingress: ingress)) { hook, opts in
            bpf_tc_query(hook, opts) == 0 ? opts.pointee.prog_id : nil
        }
    }

    /// Removes meshtrace's filter at this hook; a vanished interface is not an error.
    public static func detach(ifindex: Int32, ingress: Bool) {
        _ = withSlot(ifindex: ifindex, attachPoint: attachPoint(ingress: ingress)) { hook, opts in bpf_tc_detach(hook, opts) }
    }

    public func detach() {
        Self.detach(ifindex: ifindex, ingress: ingress)
    }

    /// Removes the clsact qdisc (with any filter still on it). meshtrace calls this only for
    /// qdiscs it created itself, once its own filters there are gone.
    public static func destroyQdisc(ifindex: Int32) {
        let both = bpf_tc_attach_point(rawValue: BPF_TC_INGRESS.rawValue | BPF_TC_EGRESS.rawValue)
        _ = withSlot(ifindex: ifindex, attachPoint: both) { hook, _ in bpf_tc_hook_destroy(hook) }
    }
}
