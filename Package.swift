// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "meshtrace",
    platforms: [.macOS(.v13)],
    products: [
        // The spec DSL is a dynamic library so that `meshtrace-gen` can compile a user's
        // spec file against it, the way SwiftPM compiles Package.swift against PackageDescription.
        .library(name: "Spec", type: .dynamic, targets: ["Spec"]),
        .executable(name: "meshtrace-gen", targets: ["meshtrace-gen"]),
        .executable(name: "meshtrace-run", targets: ["meshtrace-run"]),
        .executable(name: "meshtrace-bench", targets: ["meshtrace-bench"]),
        .executable(name: "meshtrace-lab", targets: ["meshtrace-lab"]),
        .executable(name: "meshtrace-export-bench", targets: ["meshtrace-export-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(name: "Spec"),
        // Runs programs with an argument vector, never through a shell: swiftc, clang, ip, tcpdump.
        .target(name: "CNetNamespace"),
        .target(name: "Subprocess", dependencies: ["CNetNamespace"]),
        .target(name: "SpecLoader", dependencies: ["Spec", "Subprocess"]),
        .systemLibrary(name: "CLibBPF", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev", "libelf-dev"])]),
        .target(name: "BPF", dependencies: ["CLibBPF"]),
        // What a generated object promises its readers: manifest, plan, tunables, event layout,
        // program and map symbols. Codegen writes it; Runner, Reference and Lab read it.
        .target(name: "ObjectModel", dependencies: ["Spec"]),
        .target(
            name: "Codegen",
            dependencies: ["Spec", "ObjectModel", "BPF", "Subprocess"],
            // The C templates, shipped beside the tool so an installed meshtrace-gen finds them.
            resources: [.copy("Templates")]
        ),
        // The one trace-context parser (W3C, tracestate, B3 single and multi, Jaeger, custom): one
        // verdict per event from the context headers the kernel observed. Runner, lab and tests use it.
        .target(name: "TraceContexts", dependencies: ["Spec"]),
        .target(
            name: "Runner",
            dependencies: [
                "Spec", "ObjectModel", "TraceContexts", "BPF", "CLibBPF", "PacketKit", "Subprocess", "Export", "Discovery",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "meshtrace-run",
            dependencies: ["Runner", "Discovery", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "meshtrace-bench",
            dependencies: ["Codegen", "Runner", "Lab", "SpecLoader", "PacketKit", "BPF", "Subprocess", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "meshtrace-gen",
            dependencies: [
                "SpecLoader",
                "Codegen",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The namespace/veth/VXLAN testbed, the Bookinfo-shaped mesh on it, and its CLI; Mesh/Helpers
        // holds the mesh's Python apps, its open-loop load generator and the evaluation's plotter.
        .target(name: "Lab", dependencies: ["Subprocess", "Spec", "Runner", "PacketKit", "BPF", "Codegen"], resources: [.copy("Mesh/Helpers")]),
        .systemLibrary(name: "CLibPcap", providers: [.apt(["libpcap-dev"])]),
        .target(name: "PacketKit", dependencies: ["CLibPcap"]),
        .executableTarget(
            name: "meshtrace-lab",
            dependencies: ["Lab", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The node agent's trace info collector: finds the NIC and the vports by itself, names pod
        // IPs after pods and Services (Kubernetes API), and reads kube-proxy's Service NAT.
        .target(name: "Discovery", dependencies: ["Subprocess"]),
        .testTarget(
            name: "DiscoveryTests",
            dependencies: ["Discovery", "Subprocess", "TestSupport"],
            // Recorded API-server responses and kube-proxy rules, read by path at test time.
            exclude: ["Fixtures"]
        ),
        // `meshtrace-run --discover` on the testbed: discovery, pods coming and going, names, --trace-service.
        .testTarget(name: "AgentTests", dependencies: ["TestSupport", "Runner", "Discovery", "Lab", "Subprocess"]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "Runner", "TraceContexts", "Spec"]),
        // The reference interpreter of the IR (shares no code with Codegen or the templates) and the
        // differential fuzzer that holds the kernel to it.
        .target(name: "Reference", dependencies: ["Spec", "ObjectModel"]),
        .testTarget(name: "TrustTests", dependencies: ["TestSupport", "Reference", "Runner", "Codegen", "ObjectModel", "PacketKit", "Spec"]),
        // Shared by the test targets: generated objects for the example specs, requests and frames.
        .target(name: "TestSupport", dependencies: ["Codegen", "Runner", "SpecLoader", "Spec", "PacketKit", "Subprocess", "Lab"], path: "Tests/Support"),
        .testTarget(
            name: "CodegenTests",
            dependencies: ["TestSupport", "Codegen", "ObjectModel", "Runner", "Spec", "PacketKit", "BPF"],
            // The instruction-count goldens, read and (MESHTRACE_RECORD_GOLDENS=1) rewritten by InstructionBudgetTests.
            exclude: ["Goldens"]
        ),
        // Planner, parser unrolling, field access and control flow: no clang, no root, no kernel.
        .testTarget(name: "CodegenUnitTests", dependencies: ["Codegen", "ObjectModel", "BPF", "CLibBPF", "Spec"]),
        // The trace-context conformance vectors (the JSON, its decoding, what the kernel must record
        // of them), shared by the user-space and the kernel conformance tests.
        .target(name: "ConformanceVectors", dependencies: ["TraceContexts", "Spec"], path: "Tests/Conformance",
                exclude: ["trace-context-vectors.json"]),
        // Every conformance vector of Tests/Conformance, plus a unit test per rule.
        .testTarget(name: "TraceContextsTests", dependencies: ["ConformanceVectors", "TraceContexts", "Spec"]),
        // Every conformance vector through the kernel: the mesh spec with every format, in both
        // placements and every profile, with BPF_PROG_TEST_RUN.
        .testTarget(name: "ConformanceKernelTests", dependencies: ["ConformanceVectors", "TestSupport", "Runner", "TraceContexts", "PacketKit", "Spec"]),
        .testTarget(name: "RunnerTests", dependencies: ["TestSupport", "Runner", "ObjectModel", "TraceContexts", "Lab", "PacketKit", "Spec", "Subprocess"]),
        // The context-first sidecar (deploy/envoy) in a real Envoy; Helpers holds the Python upstream
        // that records raw request bytes and the raw client the tests drive it with.
        .testTarget(name: "SidecarTests", dependencies: ["TestSupport", "Subprocess", "Lab"], exclude: ["Helpers"]),
        // The Bookinfo-shaped mesh with real Envoy sidecars: context placement on the wire, the runner's
        // joins per hop against tcpdump, and `meshtrace-lab evaluate --quick`.
        .testTarget(name: "MeshTests", dependencies: ["Lab", "PacketKit", "Runner", "TestSupport"]),
        // Exporters for joined hops: OTLP/HTTP spans, Prometheus /metrics, InfluxDB line protocol.
        // Independent of the Runner's types; the runner fills `HopObservation`s.
        .target(
            name: "Export",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The exporters against real backends, and on the testbed through the runner (LabSpanTests).
        .testTarget(name: "ExportTests", dependencies: ["Export", "Runner", "Lab", "Subprocess", "TestSupport"]),
        // Prints the exporter's throughput and memory figures (docs/export.md); run by hand in release.
        .executableTarget(name: "meshtrace-export-bench", dependencies: ["Export"]),
        .testTarget(
            name: "SpecTests",
            dependencies: ["Spec", "SpecLoader", "Subprocess"],
            // IR goldens, read and (with MESHTRACE_RECORD_GOLDENS=1) rewritten by IRRoundTripTests.
            exclude: ["Goldens"]
        ),
    ]
)
