import Spec

/// `--replay FILE` with its `--point-map FILE=POINT:HOOK`: where the capture was taken.
public struct ReplayInput: Hashable, Sendable {
    public var path: String
    public var point: String
    public var hook: Hook

    public init(path: String, point: String, hook: Hook) {
        self.path = path
        self.point = point
        self.hook = hook
    }

    /// Pairs each capture with its mapping; unmapped captures are taken at the spec's first point, ingress.
    public static func resolve(files: [String], mappings: [String], spec: SpecIR) throws -> [ReplayInput] {
        var mapped: [String: (String, Hook)] = [:]
        for mapping in mappings {
            let parts = mapping.split(separator: "=", maxSplits: 1).map(String.init)
            let target = parts.count == 2 ? parts[1].split(separator: ":").map(String.init) : []
            guard parts.count == 2, target.count == 2, let hook = Hook(rawValue: target[1]) else {
                throw RunnerError.usage("--point-map takes FILE=POINT:HOOK (hook ingress or egress), not '\(mapping)'")
            }
            guard spec.points.contains(where: { $0.name == target[0] }) else {
                throw RunnerError.usage("--point-map names point '\(target[0])', which the object's spec lacks")
            }
            guard files.contains(parts[0]) else {
                throw RunnerError.usage("--point-map names '\(parts[0])', which is not a --replay file")
            }
            mapped[parts[0]] = (target[0], hook)
        }
        guard let first = spec.points.first?.name else { throw RunnerError.usage("the object's spec has no tracing point") }
        return files.map { file in
            let (point, hook) = mapped[file] ?? (first, .ingress)
            return ReplayInput(path: file, point: point, hook: hook)
        }
    }
}
