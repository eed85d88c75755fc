import Foundation

/// What the context-first filter costs Envoy per request: scripts/sidecar-cost (stock, an empty Lua
/// upstream filter and context-first.lua side by side, open loop), its context-first row against stock.
enum SidecarCost {
    static func measure(in mesh: Mesh, seconds: Double, log: (String) -> Void) throws -> EvaluationResults.SidecarCost {
        let script = MeshFiles.repository.appendingPathComponent("scripts/sidecar-cost").path
        let result = try mesh.testbed.run(in: mesh.layout.client.namespace, "python3", [
            script, "--rate", "200", "--seconds", "\(seconds)", "--warmup", seconds < 10 ? "1" : "3",
        ]).check()
        log(result.stdout)
        // Rows: variant requests median[us] x-stock p99[us] x-stock cpu[us/req] +[us/req] x-stock
        func row(_ name: String) throws -> [Double] {
            guard let line = result.stdout.split(separator: "\n").first(where: { $0.split(separator: " ").first == Substring(name) }) else {
                throw LabError.unexpectedOutput("scripts/sidecar-cost printed no '\(name)' row:\n\(result.stdout)")
            }
            let numbers = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            guard numbers.count == 8 else { throw LabError.unexpectedOutput("cannot read scripts/sidecar-cost's row '\(line)'") }
            return numbers
        }
        let stock = try row("stock"), contextFirst = try row("context-first")
        return .init(median: contextFirst[1] - stock[1], p99: contextFirst[3] - stock[3], cpuPerRequest: contextFirst[6],
                     stockMedian: stock[1], output: result.stdout)
    }
}
