import ArgumentParser
import Foundation
import Lab

extension MeshVariant.Tracer: ExpressibleByArgument {}

/// `up --mesh stock|context-first [--tracer w3c|b3]`: the Bookinfo-shaped mesh instead of the plain testbed.
struct MeshUpOptions: ParsableArguments {
    @Option(help: "Build the Bookinfo-shaped mesh with stock or context-first sidecars (default prefix \(MeshTopology.defaultPrefix)).")
    var mesh: String?

    @Option(help: "The sidecars' tracer with --mesh: w3c (OpenTelemetry) or b3 (Zipkin).")
    var tracer: MeshVariant.Tracer = .w3c

    func variant() throws -> MeshVariant? {
        guard let mesh else { return nil }
        guard let format = MeshVariant.Format(sidecar: mesh) else {
            throw ValidationError("--mesh takes stock or context-first, not '\(mesh)'")
        }
        return MeshVariant(format: format, tracer: tracer)
    }
}

/// `down --mesh`, `status --mesh`: the mesh's testbed.
struct MeshFlag: ParsableArguments {
    @Flag(help: "The Bookinfo-shaped mesh's testbed (default prefix \(MeshTopology.defaultPrefix)).")
    var mesh = false
}

extension TestbedOptions {
    func mesh() throws -> Mesh {
        try Privileges.requireRoot()
        return try Mesh(prefix: prefix ?? MeshTopology.defaultPrefix)
    }
}

enum MeshCommands {
    static func up(_ mesh: Mesh, _ variant: MeshVariant) throws {
        let outcome = try mesh.up(variant)
        let how = switch outcome {
        case .alreadyUp: "already up"
        case .built: "built"
        case .rebuilt: "restarted"
        }
        print("mesh \(mesh.layout.topology.prefix): up, \(how): \(variant)")
        print(mesh.layout.topology)
        print("entry: \(mesh.layout.entry) (from \(mesh.layout.client.namespace))")
    }

    static func status(_ mesh: Mesh) throws {
        let status = try mesh.status()
        try Status.report(what: "mesh \(mesh.layout.topology.prefix)", up: status.isUp ? "up, \(status.variant.map { "\($0)" } ?? "")" : nil,
                          absent: status.isAbsent, problems: status.problems, topology: mesh.layout.topology, flags: " --mesh …")
    }
}
