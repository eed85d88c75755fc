import Foundation

public enum RunnerError: Error, CustomStringConvertible, Equatable {
    case object(path: String, reason: String)
    case interface(String)
    case attach(interface: String, reason: String)
    case busy(interface: String, pid: Int32)
    case privilege(String)
    case usage(String)
    /// `--discover` could not find what it needs (no NIC), with discovery's reason.
    case discovery(String)

    public var description: String {
        switch self {
        case .object(let path, let reason): "error: '\(path)' is not a usable meshtrace object: \(reason)"
        case .interface(let message): "error: \(message)"
        case .attach(let interface, let reason): "error: cannot attach to \(interface): \(reason)"
        case .busy(let interface, let pid): "error: interface \(interface) is already traced by meshtrace-run (pid \(pid)); stop that runner first"
        case .privilege(let message): "error: \(message)"
        case .usage(let message): "error: \(message)"
        case .discovery(let message): "error: discovery: \(message)"
        }
    }
}
