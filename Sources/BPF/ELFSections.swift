/// Just enough ELF64 (little-endian) to find a section by name, and a BPF object's symbols and
/// relocations (for `Subprograms`).
public enum ELFSections {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func section(named name: String, in bytes: [UInt8]) throws -> ArraySlice<UInt8> {
        let table = try Table(bytes)
        guard let index = table.sections.firstIndex(where: { $0.name == name }) else {
            throw Failure(description: "it has no \(name) section: not an object written by meshtrace-gen")
        }
        return try table.contents(of: index)
    }

    public struct Section {
        public var name: String
        var type: Int
        var offset: Int
        var size: Int
        var link: Int
        var info: Int
    }

    public struct Symbol {
        public var name: String
        public var section: Int
        public var value: Int
        public var size: Int
        public var isFunction: Bool
    }

    public struct Relocation {
        public var symbol: Symbol
    }

    /// The section table of one object.
    public struct Table {
        let bytes: [UInt8]
        public let sections: [Section]
        public private(set) var symbols: [Symbol] = []
        static let symbolTable = 2, relocations = 9

        public init(_ bytes: [UInt8]) throws {
            self.bytes = bytes
            guard bytes.count >= 64, bytes[0...3] == [0x7f, 0x45, 0x4c, 0x46] else { throw Failure(description: "it is not an ELF file") }
            guard bytes[4] == 2, bytes[5] == 1 else { throw Failure(description: "it is not a little-endian 64-bit ELF file (a BPF object)") }
            let table = try Self.integer(bytes, 0x28, 8)
            let entrySize = try Self.integer(bytes, 0x3a, 2)
            let count = try Self.integer(bytes, 0x3c, 2)
            let namesIndex = try Self.integer(bytes, 0x3e, 2)
            guard entrySize >= 64, namesIndex < count else { throw Failure(description: "its section table is corrupted") }
            let namesOffset = try Self.integer(bytes, table + namesIndex * entrySize + 0x18, 8)
            sections = try (0..<count).map { index in
                let entry = table + index * entrySize
                return Section(name: try Self.string(bytes, namesOffset + (try Self.integer(bytes, entry, 4))),
                               type: try Self.integer(bytes, entry + 0x04, 4), offset: try Self.integer(bytes, entry + 0x18, 8),
                               size: try Self.integer(bytes, entry + 0x20, 8), link: try Self.integer(bytes, entry + 0x28, 4),
                               info: try Self.integer(bytes, entry + 0x2c, 4))
            }
            symbols = try readSymbols()
        }

        public func contents(of index: Int) throws -> ArraySlice<UInt8> {
            guard sections.indices.contains(index) else { throw Failure(description: "it has no section \(index)") }
            let section = sections[index]
            guard section.offset + section.size <= bytes.count else { throw Failure(description: "it is truncated") }
            return bytes[section.offset..<(section.offset + section.size)]
        }

        private func readSymbols() throws -> [Symbol] {
            guard let index = sections.firstIndex(where: { $0.type == Self.symbolTable }) else { return [] }
            let table = sections[index], names = try contents(of: table.link)
            return try stride(from: table.offset, to: table.offset + table.size, by: 24).map { entry in
                Symbol(name: try Self.string(bytes, names.startIndex + (try Self.integer(bytes, entry, 4))),
                       section: try Self.integer(bytes, entry + 6, 2), value: try Self.integer(bytes, entry + 8, 8),
                       size: try Self.integer(bytes, entry + 16, 8), isFunction: bytes[entry + 4] & 0xf == 2)
            }
        }

        /// The relocations that apply to section `index`, by offset in it.
        public func relocations(of index: Int) throws -> [Int: Relocation] {
            guard let rel = sections.first(where: { $0.type == Self.relocations && $0.info == index }) else { return [:] }
                        var result: [Int: Relocation] = [:]
            for entry in stride(from: rel.offset, to: rel.offset + rel.size, by: 16) {
                let symbol = try Self.integer(bytes, entry + 12, 4)
                guard symbols.indices.contains(symbol) else { throw Failure(description: "a relocation names no symbol") }
                result[try Self.integer(bytes, entry, 8)] = Relocation(symbol: symbols[symbol])
            }
            return result
        }

        static func integer(_ bytes: [UInt8], _ offset: Int, _ size: Int) throws -> Int {
            guard offset >= 0, offset + size <= bytes.count else { throw Failure(description: "it is truncated") }
            return (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }

        static func string(_ bytes: [UInt8], _ offset: Int) throws -> String {
            guard offset >= 0, offset < bytes.count else { throw Failure(description: "its names are corrupted") }
            return String(decoding: bytes[offset...].prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
