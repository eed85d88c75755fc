import Foundation

/// The interfaces of the current network namespace, and which of them a point's patterns name.
public struct NetworkInterface: Hashable, Sendable {
    public var name: String
    public var index: Int32
}

public enum InterfaceSet {
    public static func current() -> [NetworkInterface] {
        guard let list = if_nameindex() else { return [] }
        defer { if_freenameindex(list) }
        var result: [NetworkInterface] = []
        var entry = list
        while entry.pointee.if_index != 0, let name = entry.pointee.if_name {
            result.append(NetworkInterface(name: String(cString: name), index: Int32(entry.pointee.if_index)))
            entry += 1
        }
        return result
    }

    public static func isGlob(_ pattern: String) -> Bool {
        pattern.contains(where: { "*?[".contains($0) })
    }

    public static func matches(_ pattern: String, _ name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }
}

/// `--point NAME=IF[,IF…]`: a tracing point and the interface names or globs it covers.
public struct PointBinding: Hashable, Sendable {
    public var point: String
    public var patterns: [String]

    public init(point: String, patterns: [String]) {
        self.point = point
        self.patterns = patterns
    }

    public init(parsing argument: String) throws {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw RunnerError.usage("--point takes NAME=INTERFACE[,INTERFACE…] (globs allowed), not '\(argument)'")
        }
        point = parts[0]
        patterns = parts[1].split(separator: ",").map(String.init)
    }
}
