import ArgumentParser
import Foundation
import Spec
import SpecLoader

@main
struct MeshtraceGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshtrace-gen",
        abstract: "Turn a meshtrace spec into verifier-friendly eBPF."
    )

    enum Emit: String, ExpressibleByArgument, CaseIterable {
        case ir
    }

    @Argument(help: "The spec file (a Swift file that imports Spec).")
    var spec: String

    @Option(help: "What to print: ir (the validated IR as stable JSON).")
    var emit: Emit = .ir

    func run() throws {
        do {
            let loader = SpecLoader(runtime: try SpecRuntime.beside())
            let loaded = try loader.load(spec)
            switch emit {
            case .ir:
                FileHandle.standardOutput.write(try SpecEncoding.encode(loaded.ir) + Data("\n".utf8))
            }
        } catch let error as SpecLoadError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode.failure
        }
    }
}
