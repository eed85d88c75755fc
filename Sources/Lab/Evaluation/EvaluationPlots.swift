import Foundation

/// The PNGs, drawn with matplotlib by Mesh/Helpers/plot.py from results.json.
enum EvaluationPlots {
    static let files = ["table1-e2e-cdf.png", "fig8-detection.png", "fig9-hop-cdf.png"]

    static func draw(results: URL, into directory: URL) throws {
        let result = try Command.run(["python3", try MeshFiles.helper("plot"), results.path, directory.path])
        guard result.succeeded else {
            throw LabError.commandFailed(command: "plot.py \(results.path)", status: result.status,
                                         stderr: result.stderr + " (bash .ci/setup installs python3-matplotlib)")
        }
        for file in files where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path) {
            throw LabError.unexpectedOutput("plot.py drew no \(file)")
        }
    }
}
