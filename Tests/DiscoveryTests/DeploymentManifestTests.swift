import Foundation
import Subprocess
import XCTest

/// deploy/kubernetes: every YAML document parses (PyYAML), and the RBAC, the DaemonSet's
/// privileges and mounts are what docs/discovery.md says they are.
final class DeploymentManifestTests: XCTestCase {
    private func documents() throws -> [[String: Any]] {
        let directory = Fixtures.repository.appendingPathComponent("deploy/kubernetes")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(files.isEmpty)
        let script = "import json, sys, yaml; print(json.dumps([d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d is not None]))"
        let result = try Command.run(["python3", "-c", script] + files.map { directory.appendingPathComponent($0).path })
        guard result.succeeded else { throw XCTSkip("PyYAML is not available: \(result.stderr)") }
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    private func one(_ kind: String, in documents: [[String: Any]]) throws -> [String: Any] {
        let matching = documents.filter { $0["kind"] as? String == kind }
        XCTAssertEqual(matching.count, 1, kind)
        return try XCTUnwrap(matching.first, kind)
    }

    private func agent(_ documents: [[String: Any]]) throws -> (pod: [String: Any], container: [String: Any]) {
        let daemonSet = try one("DaemonSet", in: documents)
        let pod = try XCTUnwrap((daemonSet["spec"] as? [String: Any])?["template"] as? [String: Any])["spec"] as? [String: Any]
        let containers = try XCTUnwrap(pod?["containers"] as? [[String: Any]])
        return (try XCTUnwrap(pod), try XCTUnwrap(containers.first { $0["name"] as? String == "agent" }))
    }

    func testEveryDocumentHasAKindAndTheRBACOnlyReads() throws {
        let documents = try documents()
        XCTAssertEqual(Set(documents.compactMap { $0["kind"] as? String }), ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"])
        for document in documents {
            XCTAssertNotNil(document["apiVersion"] as? String)
            XCTAssertNotNil((document["metadata"] as? [String: Any])?["name"] as? String)
        }
        let rules = try XCTUnwrap(try one("ClusterRole", in: documents)["rules"] as? [[String: Any]])
        var granted: Set<String> = []
        for rule in rules {
            XCTAssertTrue(Set(rule["verbs"] as? [String] ?? ["?"]).isSubset(of: ["get", "list", "watch"]), "\(rule)")
            for group in rule["apiGroups"] as? [String] ?? [] {
                for resource in rule["resources"] as? [String] ?? [] { granted.insert(group + "/" + resource) }
            }
        }
        XCTAssertEqual(granted, ["/pods", "/services", "discovery.k8s.io/endpointslices"])
        let binding = try one("ClusterRoleBinding", in: documents)
        XCTAssertEqual((binding["roleRef"] as? [String: Any])?["name"] as? String, "meshtrace-agent")
        let subject = try XCTUnwrap((binding["subjects"] as? [[String: Any]])?.first)
        let account = try one("ServiceAccount", in: documents)["metadata"] as? [String: Any]
        XCTAssertEqual(subject["name"] as? String, account?["name"] as? String)
        XCTAssertEqual(subject["namespace"] as? String, account?["namespace"] as? String)
        XCTAssertEqual(try agent(documents).pod["serviceAccountName"] as? String, account?["name"] as? String)
    }

    func testTheAgentRunsInTheHostsNamespacesWithOnlyTheCapabilitiesItNeeds() throws {
        let (pod, container) = try agent(try documents())
        XCTAssertEqual(pod["hostNetwork"] as? Bool, true)
        XCTAssertEqual(pod["hostPID"] as? Bool, true)
        let security = try XCTUnwrap(container["securityContext"] as? [String: Any])
        XCTAssertNotEqual(security["privileged"] as? Bool, true)
        let capabilities = try XCTUnwrap(security["capabilities"] as? [String: Any])
        XCTAssertEqual(capabilities["drop"] as? [String], ["ALL"])
        XCTAssertEqual(Set(capabilities["add"] as? [String] ?? []), ["BPF", "NET_ADMIN", "PERFMON", "SYS_ADMIN", "SYS_PTRACE"])

        let volumes = Dictionary(uniqueKeysWithValues: try XCTUnwrap(pod["volumes"] as? [[String: Any]]).map { ($0["name"] as! String, $0) })
        var mounted: [String: (host: String?, readOnly: Bool, propagation: String?)] = [:]
        for mount in try XCTUnwrap(container["volumeMounts"] as? [[String: Any]]) {
            let volume = try XCTUnwrap(volumes[mount["name"] as! String], "\(mount)")
            mounted[mount["mountPath"] as! String] = ((volume["hostPath"] as? [String: Any])?["path"] as? String, mount["readOnly"] as? Bool ?? false, mount["mountPropagation"] as? String)
        }
        XCTAssertEqual(mounted["/sys/fs/bpf"]?.host, "/sys/fs/bpf")
        XCTAssertEqual(mounted["/run/netns"]?.host, "/run/netns")
        XCTAssertEqual(mounted["/run/netns"]?.propagation, "HostToContainer", "pods started later must show up")
        XCTAssertEqual(mounted["/host/proc"]?.host, "/proc")
        XCTAssertEqual(mounted["/host/proc"]?.readOnly, true)

        let env = try XCTUnwrap(container["env"] as? [[String: Any]])
        let node = try XCTUnwrap(env.first { $0["name"] as? String == "NODE_NAME" })
        XCTAssertEqual(((node["valueFrom"] as? [String: Any])?["fieldRef"] as? [String: Any])?["fieldPath"] as? String, "spec.nodeName")
        let args = try XCTUnwrap(container["args"] as? [String])
        XCTAssertEqual(container["command"] as? [String], ["meshtrace-run"])
        XCTAssertTrue(args.contains("--discover"))
        XCTAssertEqual(args.firstIndex(of: "--node-name").map { args[$0 + 1] }, "$(NODE_NAME)")
        XCTAssertEqual(args.firstIndex(of: "--proc-root").map { args[$0 + 1] }, "/host/proc")
    }

    func testEveryFlagTheManifestsPassIsInMeshtraceRunHelp() throws {
        let binary = Fixtures.repository.appendingPathComponent(".build/debug/meshtrace-run").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build meshtrace-run first (swift build --build-tests)") }
        let help = try Command.run([binary, "--help"]).check().stdout
        let known = Set(help.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init).filter { $0.hasPrefix("--") })
        let passed = Set(try agent(try documents()).container["args"] as? [String] ?? []).filter { $0.hasPrefix("--") }
        XCTAssertFalse(passed.isEmpty)
        XCTAssertEqual(passed.subtracting(known), [], "flags the manifests pass that meshtrace-run does not have")
    }
}
