/// InfluxDB line protocol: `measurement,tag=v,... field=v,... timestamp`, with the escaping its
/// rules ask for per element. A newline cannot be escaped in any element; a point holding one is
/// refused, not altered.
enum LineProtocol {
    struct Unencodable: Error, CustomStringConvertible {
        let description: String
    }

    enum FieldValue {
        case integer(Int64)
        case string(String)
    }

    static func line(measurement: String, tags: [(String, String)], fields: [(String, FieldValue)], timestampNs: Int64) throws -> String {
        for text in [measurement] + tags.flatMap({ [$0.0, $0.1] }) + fields.map(\.0) where text.contains(where: \.isNewline) {
            throw Unencodable(description: "line protocol cannot carry a newline in '\(text)'")
        }
        precondition(!fields.isEmpty, "a point needs at least one field")
        var line = escape(measurement, special: ", ")
        // Influx stores tags sorted by key; sending them sorted saves it the work.
        for (key, value) in tags.sorted(by: { $0.0 < $1.0 }) where !value.isEmpty {
            line += "," + escape(key, special: ",= ") + "=" + escape(value, special: ",= ")
        }
        line += " " + fields.map { key, value in
            let encoded = switch value {
            case .integer(let number): "\(number)i"
            case .string(let text): "\"" + escape(text, special: "\"") + "\""
            }
            return escape(key, special: ",= ") + "=" + encoded
        }.joined(separator: ",")
        line += " \(timestampNs)"
        return line
    }

    /// Backslash before each special character; in string fields the backslash itself too.
    private static func escape(_ text: String, special: String) -> String {
        let escapesBackslash = special == "\""
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for char in text {
            if special.contains(char) || (escapesBackslash && char == "\\") { result.append("\\") }
            result.append(char)
        }
        return result
    }
}
