import Foundation

/// Why discovery could not say what it was asked: each case names the cause, never a guess.
public enum DiscoveryError: Error, CustomStringConvertible, Equatable {
    /// A program's output was not what `ip`, `iptables-save` or the API server write.
    case malformedOutput(source: String, reason: String)
    /// No NIC could be chosen, with what was looked at.
    case noNIC(String)
    /// More than one device carries the overlay's underlay traffic.
    case ambiguousNIC([String])
    /// A namespace path that cannot be read or entered.
    case namespace(path: String, reason: String)
    /// Credentials for the API server are missing or unusable.
    case credentials(String)
    /// The API server answered with an error, or could not be reached.
    case kubernetes(String)
    /// A `--trace-service` argument that names no Service port.
    case serviceSelector(String)

    public var description: String {
        switch self {
        case .malformedOutput(let source, let reason): "unexpected output from \(source): \(reason)"
        case .noNIC(let why): "no NIC found: \(why)"
        case .ambiguousNIC(let names): "more than one NIC candidate (\(names.joined(separator: ", "))); the overlay devices sit on different lower devices"
        case .namespace(let path, let reason): "network namespace \(path): \(reason)"
        case .credentials(let why): "Kubernetes credentials: \(why)"
        case .kubernetes(let why): "Kubernetes API: \(why)"
        case .serviceSelector(let why): "service selector: \(why)"
        }
    }
}
