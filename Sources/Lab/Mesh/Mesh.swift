import Foundation

/// The Bookinfo-shaped mesh on a testbed of its own (`MeshTopology`): every service pod with its
/// app and a real Envoy sidecar capturing its traffic, the gateway an Envoy of its own, the client
/// a pod without a sidecar. Like `Testbed` it keeps nothing but its state directory: the variant
/// it runs is written there, everything else is read from the kernel.
public struct Mesh: Sendable {
    public let layout: MeshTopology
    public let testbed: Testbed

    public init(prefix: String = MeshTopology.defaultPrefix) throws {
        layout = try MeshTopology(prefix: prefix)
        testbed = Testbed(topology: layout.topology)
    }

    /// The pods with a sidecar (iptables interception, inbound and outbound listeners).
    public static let sidecarServices: [MeshTopology.Service] = [.productpage, .details, .reviews, .ratings]

    /// Builds the testbed if needed and (re)starts every app and proxy as `variant` says; a mesh
    /// already up with that variant is left alone. On failure everything is torn down.
    @discardableResult
    public func up(_ variant: MeshVariant) throws -> Testbed.UpOutcome {
        let envoy = try EnvoyBinary.path()
        for tool in ["iptables-restore", "iptables", "setpriv", "curl"] { _ = try ProgramLookup.path(tool) }
        let before = try status()
        if before.isUp && before.variant == variant { return .alreadyUp }
        do {
            let outcome = try testbed.up()
            try start(variant, envoy: envoy)
            let after = try status()
            guard after.isUp else { throw LabError.notHealthy(after.problems) }
            // A testbed that was up had its workloads restarted with the new variant.
            return outcome == .alreadyUp ? .rebuilt : outcome
        } catch {
            try? down()
            throw error
        }
    }

    /// Stops every process of the mesh, removes its namespaces (their iptables rules go with them)
    /// and its state directory.
    public func down() throws { try testbed.down() }

    /// The variant `up` last started, from the state directory.
    public var variant: MeshVariant? {
        guard let data = try? Data(contentsOf: variantFile) else { return nil }
        return try? JSONDecoder().decode(MeshVariant.self, from: data)
    }

    var variantFile: URL { testbed.stateDirectory.appendingPathComponent("mesh-variant.json") }
    var configDirectory: URL { testbed.stateDirectory.appendingPathComponent("envoy", isDirectory: true) }

    private func start(_ variant: MeshVariant, envoy: String) throws {
        stopWorkloads()
        try FileManager.default.createDirectory(at: configDirectory, withIntermediateDirectories: true)
        try JSONEncoder().encode(variant).write(to: variantFile)
        for service in Self.sidecarServices where !Interception.isInstalled(in: testbed, pod: layout.pod(service)) {
            try Interception.install(in: testbed, pod: layout.pod(service))
        }
        let app = try MeshFiles.helper("bookinfo")
        var proxies: [(MeshTopology.Service, BackgroundProcess)] = []
        for service in MeshTopology.Service.allCases {
            let pod = layout.pod(service)
            let config = configDirectory.appendingPathComponent("\(service.rawValue).yaml")
            try SidecarBootstrap(service: service, mesh: layout, variant: variant).yaml().write(to: config, atomically: true, encoding: .utf8)
            // As Istio's proxy runs: its own uid, which the pod's NAT rules let through unredirected.
            let uid = "\(MeshTopology.sidecarUID)"
            let proxy = try testbed.start(in: pod.namespace, "setpriv", [
                "--reuid", uid, "--regid", uid, "--clear-groups", envoy, "-c", config.path,
                "--disable-hot-restart", "--concurrency", "1", "-l", "warning",
            ], label: "\(service.rawValue)-envoy")
            proxies.append((service, proxy))
            if service != .gateway {
                let downstream = service.downstream.map { "\($0.rawValue)=\(layout.pod($0).ip)" }
                _ = try testbed.start(in: pod.namespace, "python3", [app, service.rawValue, "\(MeshTopology.appPort)"] + downstream,
                                      label: "\(service.rawValue)-app")
            }
        }
        for (service, proxy) in proxies { try waitUntilReady(service, proxy: proxy) }
    }

    /// Ends the apps and proxies (not the runners or captures in the nodes' namespaces).
    func stopWorkloads() {
        for pod in layout.topology.pods {
            for pid in NetworkNamespace(pod.namespace).pids() { BackgroundProcess.terminate(pid: pid) }
        }
    }

    private func waitUntilReady(_ service: MeshTopology.Service, proxy: BackgroundProcess) throws {
        let pod = layout.pod(service)
        let deadline = Date().addingTimeInterval(30)
        while true {
            let ready = try? testbed.run(in: pod.namespace, "curl", ["-sf", "--max-time", "1", "http://127.0.0.1:\(MeshTopology.adminPort)/ready"])
            let appUp = service == .gateway || Self.listens(testbed: testbed, pod: pod, port: MeshTopology.appPort)
            if ready?.succeeded == true && appUp { return }
            guard proxy.isRunning else { throw LabError.unexpectedOutput("Envoy in \(pod.name) exited: \(proxy.output())") }
            guard Date() < deadline else { throw LabError.timeout("Envoy and the app in \(pod.name): \(proxy.output())") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    static func listens(testbed: Testbed, pod: Pod, port: Int) -> Bool {
        let sockets = (try? testbed.run(in: pod.namespace, "ss", ["-Htln", "sport", "= :\(port)"]).stdout) ?? ""
        return !sockets.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }
}
