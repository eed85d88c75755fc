import Foundation
import Subprocess
import XCTest

/// The files under deploy/ agree with each other: the example bootstrap the Envoy tests run, the
/// fragment users paste, and the Istio EnvoyFilter carry the same router, and the EnvoyFilter uses
/// only fields of Istio's EnvoyFilter API (networking.istio.io/v1alpha3).
final class DeployFilesTests: XCTestCase {
    static let deploy = SidecarConfig.repository.appendingPathComponent("deploy")

    func testExampleBootstrapCarriesTheFragmentsRouter() throws {
        let fragment = try Self.yaml("envoy/context-first-filter.yaml")
        let example = try Self.yaml("envoy/example-sidecar.yaml")
        let listener = try XCTUnwrap(Self.path(example, "static_resources", "listeners", 0, "filter_chains", 0, "filters", 0, "typed_config"))
        let filters = try XCTUnwrap(Self.path(listener, "http_filters") as? [Any])
        XCTAssertEqual(filters.count, 1, "the router is the listener's only HTTP filter")
        XCTAssertEqual(try Self.json(filters.last as Any).replacingOccurrences(of: "${LUA_FILE}", with: "/etc/envoy/context-first.lua"),
                       try Self.json((fragment as? [Any])?.first as Any))
    }

    func testEnvoyFilterMergesTheFragmentsUpstreamFiltersIntoTheRouter() throws {
        let fragment = try XCTUnwrap(Self.path(try Self.yaml("envoy/context-first-filter.yaml"), 0, "typed_config", "upstream_http_filters"))
        let documents = try XCTUnwrap(try Self.yaml("istio/context-first.yaml", all: true) as? [[String: Any]])
        XCTAssertEqual(documents.count, 2)
        var contexts: [String] = []
        for document in documents {
            XCTAssertEqual(document["apiVersion"] as? String, "networking.istio.io/v1alpha3")
            XCTAssertEqual(document["kind"] as? String, "EnvoyFilter")
            XCTAssertEqual(Set(document.keys), ["apiVersion", "kind", "metadata", "spec"])
            let spec = try XCTUnwrap(document["spec"] as? [String: Any])
            XCTAssertTrue(Set(spec.keys).isSubset(of: ["workloadSelector", "targetRefs", "configPatches", "priority"]), "\(spec.keys)")
            XCTAssertNotNil(Self.path(spec, "workloadSelector", "labels", "meshtrace.io/context-first"), "only pods that mount the Lua file")
            let patches = try XCTUnwrap(spec["configPatches"] as? [[String: Any]])
            XCTAssertEqual(patches.count, 1)
            let patch = patches[0]
            XCTAssertEqual(Set(patch.keys), ["applyTo", "match", "patch"])
            XCTAssertEqual(patch["applyTo"] as? String, "HTTP_FILTER")
            let match = try XCTUnwrap(patch["match"] as? [String: Any])
            XCTAssertTrue(Set(match.keys).isSubset(of: ["context", "proxy", "listener", "routeConfiguration", "cluster"]), "\(match.keys)")
            contexts.append(try XCTUnwrap(match["context"] as? String))
            XCTAssertEqual(Self.path(match, "listener", "filterChain", "filter", "name") as? String, "envoy.filters.network.http_connection_manager")
            XCTAssertEqual(Self.path(match, "listener", "filterChain", "filter", "subFilter", "name") as? String, "envoy.filters.http.router")
            XCTAssertEqual(Self.path(patch, "patch", "operation") as? String, "MERGE", "merged into Istio's router, not replacing it")
            let value = try XCTUnwrap(Self.path(patch, "patch", "value") as? [String: Any])
            XCTAssertEqual(Set(value.keys), ["typed_config"], "no name: the router keeps Istio's")
            XCTAssertEqual(Self.path(value, "typed_config", "@type") as? String, "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router")
            let upstream = try XCTUnwrap(Self.path(value, "typed_config", "upstream_http_filters"))
            XCTAssertEqual(try Self.json(upstream).replacingOccurrences(of: "/etc/meshtrace/", with: "/etc/envoy/"), try Self.json(fragment))
        }
        XCTAssertEqual(contexts, ["SIDECAR_OUTBOUND", "GATEWAY"])
    }

    // MARK: -

    /// A YAML file under deploy/ as JSON objects, read with the system python3's PyYAML.
    static func yaml(_ name: String, all: Bool = false) throws -> Any {
        let script = "import json, sys, yaml; docs = list(yaml.safe_load_all(open(sys.argv[1]))); json.dump(docs if sys.argv[2] == 'all' else docs[0], sys.stdout)"
        let result = try Command.run(["python3", "-c", script, deploy.appendingPathComponent(name).path, all ? "all" : "one"])
        guard result.succeeded else { throw SidecarError("\(name) does not parse as YAML: \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// Stable JSON text of a parsed value, to compare two of them.
    static func json(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    static func path(_ value: Any?, _ steps: Any...) -> Any? {
        steps.reduce(value) { current, step in
            if let key = step as? String { return (current as? [String: Any])?[key] }
            guard let index = step as? Int, let array = current as? [Any], array.indices.contains(index) else { return nil }
            return array[index]
        }
    }
}
