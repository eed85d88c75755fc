import Foundation
import Lab
import TestSupport
import XCTest

/// A testbed of its own (`mtdsc` + random letters) for each test, up in setUp and down in
/// tearDown whatever happened; the runners under test are `meshtrace-run --discover`.
class AgentTestCase: XCTestCase {
    var testbed: Testbed!
    var object = ""
    var topology: Topology { testbed.topology }

    override func setUpWithError() throws {
        try Generated.requireRoot()
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        testbed = try Testbed(prefix: "mtdsc" + String((0..<5).map { _ in letters.randomElement()! }))
        addTeardownBlock { [testbed] in try? testbed?.down() }
        try testbed.up()
        object = Generated.packageRoot.appendingPathComponent("generated/mesh.bpf.o").path
    }

    override func tearDownWithError() throws {
        try testbed?.down()
    }

    /// The meshtrace filters (`mt_ingress`, `mt_egress`) on an interface of a node, by direction.
    func filters(_ node: Node, _ interface: String) throws -> [String: String] {
        var found: [String: String] = [:]
        for direction in ["ingress", "egress"] {
            let shown = try testbed.run(in: node.namespace, "tc", ["filter", "show", "dev", interface, direction]).check().stdout
            found[direction] = ["mt_ingress", "mt_egress"].first { shown.contains($0) }
        }
        return found
    }

    /// Every interface of a node's namespace (the testbed's and any added pod's vport).
    func interfaces(_ node: Node) throws -> [String] {
        let listed = try testbed.run(in: node.namespace, "ip", ["-o", "link", "show"]).check().stdout
        // `2: name@peer: <...>`
        return listed.split(separator: "\n").compactMap { $0.split(separator: ":").dropFirst().first?.trimmingCharacters(in: .whitespaces) }
            .map { String($0.prefix { $0 != "@" }) }
    }

    /// The interfaces of a node that carry a meshtrace filter, and which.
    func attachedInterfaces(_ node: Node) throws -> [String: [String: String]] {
        var attached: [String: [String: String]] = [:]
        for interface in try interfaces(node) {
            let found = try filters(node, interface)
            if !found.isEmpty { attached[interface] = found }
        }
        return attached
    }

    /// What the runner said it attached: `point` by interface, from "attached POINT at IF".
    static func attachNotes(_ notes: [String]) -> [String: String] {
        var attached: [String: String] = [:]
        for note in notes {
            guard let range = note.range(of: "attached ") else { continue }
            let words = note[range.upperBound...].split(separator: " ")
            if words.count >= 3, words[1] == "at" { attached[String(words[2])] = String(words[0]) }
        }
        return attached
    }

    /// The number of the scan a note came from ("scan N: …").
    static func scanNumber(_ note: Substring) -> Int? {
        guard note.hasPrefix("scan ") else { return nil }
        return Int(note.dropFirst(5).prefix { $0.isNumber })
    }
}
