import Codegen
import Foundation

/// Reads the `.meshtrace` section of a generated object: the spec's IR and program layout.
public enum ManifestReader {
    public static func read(objectAt path: String) throws -> ObjectManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunnerError.object(path: path, reason: "cannot read it")
        }
        let section = try ELFSections.section(named: ObjectManifest.sectionName, in: [UInt8](data), path: path)
        let json = section.prefix { $0 != 0 }
        do {
            let manifest = try JSONDecoder().decode(ObjectManifest.self, from: Data(json))
            guard manifest.version == ObjectManifest.currentVersion else {
                throw RunnerError.object(path: path, reason: "its manifest has version \(manifest.version); this meshtrace-run reads version \(ObjectManifest.currentVersion): regenerate it")
            }
            return manifest
        } catch let error as RunnerError {
            throw error
        } catch {
            throw RunnerError.object(path: path, reason: "its \(ObjectManifest.sectionName) section is corrupted (\(error.localizedDescription))")
        }
    }
}

/// Just enough ELF64 (little-endian) to find a section by name.
enum ELFSections {
    static func section(named name: String, in bytes: [UInt8], path: String) throws -> ArraySlice<UInt8> {
        func fail(_ reason: String) -> RunnerError { .object(path: path, reason: reason) }
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
