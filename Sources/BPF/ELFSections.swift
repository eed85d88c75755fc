/// Just enough ELF64 (little-endian) to find a section by name.
public enum ELFSections {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func section(named name: String, in bytes: [UInt8]) throws -> ArraySlice<UInt8> {
        func fail(_ reason: String) -> Failure { Failure(description: reason) }
        guard bytes.count >= 64, bytes[0...3] == [0x7f, 0x45, 0x4c, 0x46] else { throw fail("it is not an ELF file") }
        guard bytes[4] == 2, bytes[5] == 1 else { throw fail("it is not a little-endian 64-bit ELF file (a BPF object)") }
        func integer(_ offset: Int, _ size: Int) throws -> Int {
            guard offset >= 0, offset + size <= bytes.count else { throw fail("it is truncated") }
            return (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }
        let sectionTable = try integer(0x28, 8)
        let entrySize = try integer(0x3a, 2)
        let count = try integer(0x3c, 2)
        let namesIndex = try integer(0x3e, 2)
        guard entrySize >= 64, namesIndex < count else { throw fail("its section table is corrupted") }
        let namesOffset = try integer(sectionTable + namesIndex * entrySize + 0x18, 8)
        for index in 0..<count {
            let entry = sectionTable + index * entrySize
            let nameOffset = namesOffset + (try integer(entry, 4))
            guard nameOffset < bytes.count else { throw fail("its section names are corrupted") }
            let sectionName = String(decoding: bytes[nameOffset...].prefix { $0 != 0 }, as: UTF8.self)
            guard sectionName == name else { continue }
            let offset = try integer(entry + 0x18, 8)
            let size = try integer(entry + 0x20, 8)
            guard offset + size <= bytes.count else { throw fail("it is truncated") }
            return bytes[offset..<(offset + size)]
        }
        throw fail("it has no \(name) section: not an object written by meshtrace-gen")
    }
}
