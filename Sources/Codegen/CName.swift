import Spec

/// C identifiers for spec names, which may hold '-' or '.'.
public enum CName {
    public static func sanitize(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }
}

extension SpecIR {
    /// The spec's name as the base of its output files (`mesh` → `mesh.bpf.c`).
    public var fileBaseName: String {
        String(name.map { $0 == "/" || $0 == " " ? "_" : $0 })
    }
}
