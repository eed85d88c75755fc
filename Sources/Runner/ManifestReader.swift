import BPF
import Foundation
import ObjectModel

/// Reads the `.meshtrace` section of a generated object: the spec's IR and program layout.
public enum ManifestReader {
    public static func read(objectAt path: String) throws -> ObjectManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunnerError.object(path: path, reason: "cannot read it")
        }
        do {
            let section = try ELFSections.section(named: ObjectManifest.sectionName, in: [UInt8](data))
            return try ObjectManifest.decoded(from: Data(section.prefix { $0 != 0 }))
        } catch let error as ELFSections.Failure {
            throw RunnerError.object(path: path, reason: error.description)
        } catch let error as ManifestError {
            throw RunnerError.object(path: path, reason: error.description)
        }
    }
}
