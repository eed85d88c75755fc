import Foundation

/// One `-A CHAIN …` line of `iptables-save`, its options by name. iptables-save writes options in
/// its own order (`-d … -p tcp -m comment --comment … -m tcp --dport …`), not in the order
/// kube-proxy gave them, so they are looked up by name, never by position.
struct IptablesRule: Equatable, Sendable {
    var chain: String
    /// `(name, value)` pairs in order; `!` before an option is kept as a `negated` flag.
    var options: [(name: String, value: String?, negated: Bool)]

    static func == (a: IptablesRule, b: IptablesRule) -> Bool {
        a.chain == b.chain && a.options.elementsEqual(b.options) { $0.name == $1.name && $0.value == $1.value && $0.negated == $1.negated }
    }

    func value(_ name: String) -> String? { options.first { $0.name == name && !$0.negated }?.value }
    func has(_ name: String) -> Bool { options.contains { $0.name == name } }
    var jump: String? { value("-j") }
    var comment: String? { value("--comment") }

    /// Parses `-A CHAIN opt [value] …`; nil for other lines (`*nat`, `:CHAIN - [0:0]`, `COMMIT`).
    init?(line: Substring) throws {
        let words = try IptablesRule.words(line)
        guard words.count >= 2, words[0] == "-A" else { return nil }
        chain = words[1]
        options = []
        var index = 2, negate = false
        while index < words.count {
            let word = words[index]
            if word == "!" {
                negate = true
                index += 1
                continue
            }
            guard word.hasPrefix("-") else {
                throw DiscoveryError.malformedOutput(source: "iptables-save", reason: "'\(word)' where an option was expected in: \(line)")
            }
            // An option's value is the next word unless that is another option (`-m tcp` is a
            // value, `--rsource` has none).
            let next = index + 1 < words.count ? words[index + 1] : nil
            let value = next.flatMap { $0.hasPrefix("-") && $0.count > 1 && !$0.dropFirst().first!.isNumber ? nil : $0 }
            options.append((word, value, negate))
            negate = false
            index += value == nil ? 1 : 2
        }
    }

    /// Splits on spaces, honouring the double quotes iptables-save puts around comments with spaces.
    static func words(_ line: Substring) throws -> [String] {
        var words: [String] = [], current = "", quoted = false, inWord = false, escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                inWord = true
            } else if character == " " && !quoted {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        guard !quoted else { throw DiscoveryError.malformedOutput(source: "iptables-save", reason: "unterminated quote in: \(line)") }
        if inWord { words.append(current) }
        return words
    }
}
