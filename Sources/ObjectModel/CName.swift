/// C identifiers for spec names, which may hold '-' or '.'.
public enum CName {
    public static func sanitize(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }
}
