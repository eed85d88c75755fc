import ArgumentParser
import Foundation
import Lab

/// `meshtrace-lab evaluate [--quick] --out DIR`: §4 of the paper on the mesh.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the paper's evaluation (Table 1, Fig. 8, Fig. 9, the sidecar's cost) on the mesh; write report.md, results.json and PNG plots.",
        discussion: "Brings the mesh up with each sidecar variant in turn and tears it down at the end, also on failure. --quick takes under 3 minutes, the full run under 15."
    )

    @OptionGroup var options: TestbedOptions

    @Flag(help: "Three windows (200 B, 900 B, 2 KiB) and a few seconds of load at each rate.")
    var quick = false

    @Option(help: "Where report.md, results.json, the plots and the generated objects go.")
    var out: String

    @Option(help: "The spec to generate the objects from.")
    var spec = "specs/mesh.swift"

    @Option(help: "The sidecars' tracer: w3c (OpenTelemetry) or b3 (Zipkin).")
    var tracer: MeshVariant.Tracer = .w3c

    @Option(help: "Redraw report.md and the plots into --out from an earlier run's results.json (no mesh, no load).")
    var fromResults: String?

    func run() throws {
        if let fromResults {
            try Evaluation.redraw(from: URL(fileURLWithPath: fromResults), into: URL(fileURLWithPath: out))
            print("wrote \(out)/report.md and plots from \(fromResults)")
            return
        }
        let mesh = try options.mesh()
        let plan = quick ? EvaluationPlan.quick(tracer: tracer) : EvaluationPlan.full(tracer: tracer)
        let output = URL(fileURLWithPath: out)
        let results = try Evaluation(mesh: mesh, plan: plan, spec: spec, output: output).run()
        print(String(format: "wrote %@/report.md, results.json and plots in %.0f s", output.path, results.seconds))
    }
}
