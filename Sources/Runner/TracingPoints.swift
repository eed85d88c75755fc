/// What keeps a live run's points attached and names what they see: fixed `--point` bindings
/// (`Attacher`, addresses only) or the node's own discovery (`--discover`, `NodeAgent`). The
/// session refreshes it every second and detaches it at the end.
public protocol TracingPoints: AnyObject {
    func refresh() throws
    /// Notes for the user since the last call (attached, released, problems).
    func takeNotes() -> [String]
    func detachAll()
    /// Pod and Service names for a joined packet, nil when nothing names them.
    func names(for packet: JoinedPacket) -> HopNames?
    /// The pod behind the vport an event was seen at (`namespace/pod`), nil when unknown.
    func pod(at event: PacketEvent) -> String?
}

extension Attacher: TracingPoints {
    public func names(for packet: JoinedPacket) -> HopNames? { nil }
    public func pod(at event: PacketEvent) -> String? { nil }
}
