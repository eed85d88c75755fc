import Foundation

/// What can go wrong while building, probing or tearing down a testbed.
public enum LabError: Error, CustomStringConvertible, Sendable, Equatable {
    case notRoot
    case invalidPrefix(String)
    case missingTool(String)
    case commandFailed(command: String, status: Int32, stderr: String)
    case notHealthy([String])
    case foreignNamespace(String)
    case invalidArgument(String)
    case timeout(String)
    case unexpectedOutput(String)

    public var description: String {
        switch self {
        case .notRoot:
            return "meshtrace-lab needs root: network namespaces"
        case .invalidPrefix(let prefix):
            return "invalid testbed prefix '\(prefix)': use 1 to \(Topology.maxPrefixLength) lowercase letters or digits, starting with a letter"
        case .missingTool(let name):
            return "'\(name)' is not on PATH (install with: apt-get install -y iproute2 procps python3 tcpdump wrk)"
        case .commandFailed(let command, let status, let stderr):
            let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "'\(command)' exited with status \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .notHealthy(let problems):
            return "testbed is not healthy: " + problems.joined(separator: "; ")
        case .foreignNamespace(let name):
            return "'\(name)' is not a namespace of this testbed"
        case .invalidArgument(let message):
            return message
        case .timeout(let what):
            return "timed out waiting for \(what)"
        case .unexpectedOutput(let message):
            return message
        }
    }
}

extension LabError: LocalizedError {
    public var errorDescription: String? { description }
}
