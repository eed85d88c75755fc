/// Why an exporter or the metrics server could not be set up.
public enum ExportError: Error, CustomStringConvertible, Equatable {
    case badEndpoint(String)
    case badAddress(String)

    public var description: String {
        switch self {
        case .badEndpoint(let reason), .badAddress(let reason): reason
        }
    }
}
