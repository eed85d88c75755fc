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
        .target(name: "Subprocess"),
        .target(name: "SpecLoader", dependencies: ["Spec", "Subprocess"]),
        .systemLibrary(name: "CLibBPF", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev", "libelf-dev"])]),
        .target(name: "BPF", dependencies: ["CLibBPF"]),
        .target(name: "Codegen", dependencies: ["Spec", "BPF", "Subprocess"]),
        .target(
            name: "Runner",
            dependencies: ["Spec", "BPF", "CLibBPF", "Codegen", "PacketKit", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        .executableTarget(
            name: "meshtrace-run",
            dependencies: ["Runner", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "meshtrace-bench",
            dependencies: ["Codegen", "Runner", "SpecLoader", "PacketKit", "BPF", "Subprocess", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "meshtrace-gen",
            dependencies: [
                "SpecLoader",
                "Codegen",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The namespace/veth/VXLAN testbed and its CLI.
        .target(name: "Lab", dependencies: ["Subprocess"]),
        .systemLibrary(name: "CLibPcap", providers: [.apt(["libpcap-dev"])]),
        .target(name: "PacketKit", dependencies: ["CLibPcap"]),
        .executableTarget(
            name: "meshtrace-lab",
            dependencies: ["Lab", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "LabTests", dependencies: ["Lab"]),
        // The reference interpreter of the IR (shares no code with Codegen or the templates) and the
        // differential fuzzer that holds the kernel to it.
        .target(name: "Reference", dependencies: ["Spec"]),
        .testTarget(name: "TrustTests", dependencies: ["TestSupport", "Reference", "Runner", "Codegen", "PacketKit", "Spec"]),
        // Shared by the test targets: generated objects for the example specs, requests and frames.
        .target(name: "TestSupport", dependencies: ["Codegen", "Runner", "SpecLoader", "Spec", "PacketKit"], path: "Tests/Support"),
        .testTarget(
            name: "CodegenTests",
            dependencies: ["TestSupport", "Codegen", "Runner", "Spec", "PacketKit", "BPF"],
            // The instruction-count goldens, read and (MESHTRACE_RECORD_GOLDENS=1) rewritten by InstructionBudgetTests.
            exclude: ["Goldens"]
        ),
        .testTarget(name: "RunnerTests", dependencies: ["TestSupport", "Runner", "Lab", "PacketKit", "Spec"]),
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
        .testTarget(name: "ExportTests", dependencies: ["Export"]),
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
