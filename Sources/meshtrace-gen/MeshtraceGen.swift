import ArgumentParser
import BPF
import Codegen
import Foundation
import Spec
import SpecLoader

@main
struct MeshtraceGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshtrace-gen",
        abstract: "Turn a meshtrace spec into verifier-friendly eBPF.",
        discussion: """
            meshtrace-gen SPEC --emit ir        print the validated IR (stable JSON)
            meshtrace-gen SPEC -o DIR           write DIR/<spec>.bpf.c, .bpf.o and .report.json, print the report
            """
    )

    enum Emit: String, ExpressibleByArgument, CaseIterable {
        case ir
    }

    @Argument(help: "The spec file (a Swift file that imports Spec).")
    var spec: String

    @Option(help: "Print the validated IR instead of generating code.")
    var emit: Emit?

    @Option(name: .shortAndLong, help: "Directory for the generated C, object and report.")
    var output: String?

    @Option(help: "Search window in bytes (overrides the spec).")
    var window: Int?

    @Option(help: "Context placement: fixed or anywhere (overrides the spec).")
    var placement: Placement?

    @Option(help: "Loop profile: unrolled, loops or bpf_loop (overrides the spec).")
    var profile: LoopProfile?

    @Option(help: "Per-program instruction budget (overrides the spec).")
    var budget: Int?

    @Flag(help: "Do not load the object to read the verifier's counts.")
    var noVerify = false

    @Flag(name: .shortAndLong, help: "Show libbpf's own warnings and notes (silenced otherwise).")
    var verbose = false

    func validate() throws {
        if emit == nil && output == nil {
            throw ValidationError("say what to produce: --emit ir, or -o DIR")
        }
    }

    func run() throws {
        do {
            let loaded = try SpecLoader(runtime: try SpecRuntime.beside()).load(spec)
            if emit == .ir {
                FileHandle.standardOutput.write(try SpecEncoding.encode(loaded.ir) + Data("\n".utf8))
                return
            }
            guard let output else { return }
            BPFObject.showsLibBPFMessages = verbose
            let overrides = Overrides(window: window, placement: placement, profile: profile, budget: budget)
            let ir = try overrides.applied(to: loaded.ir)
            let result = try Generator(templates: try Templates()).generate(
                ir: ir, specFile: URL(fileURLWithPath: spec).lastPathComponent, verify: !noVerify, into: URL(fileURLWithPath: output)
            )
            print(result.report.table)
        } catch let error as InvalidOverrides {
            fail(SpecLoadError.invalid(path: spec, diagnostics: error.diagnostics).description)
        } catch let error as SpecLoadError {
            fail(error.description)
        } catch CodegenError.inconsistentIR(let diagnostic) {
            fail(SpecLoadError.invalid(path: spec, diagnostics: [diagnostic]).description)
        } catch let error as CodegenError {
            fail(error.description)
        } catch {
            fail("error: \(error)")
        }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(1)
    }
}

extension Placement: ExpressibleByArgument {}
extension LoopProfile: ExpressibleByArgument {}
