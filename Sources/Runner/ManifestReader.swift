import BPF
import Codegen
import Foundation

/// Reads the `.meshtrace` section of a generated object: the spec's IR and program layout.
public enum ManifestReader {
    public static func read(objectAt path: String) throws -> ObjectManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunnerError.object(path: path, reason: "cannot read it")
        }
        let section: ArraySlice<UInt8>
        do {
            section = try ELFSections.section(named: ObjectManifest.sectionName, in: [UInt8](data))
        } catch let error as ELFSections.Failure {
            throw RunnerError.object(path: path, reason: error.description)
        }
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

