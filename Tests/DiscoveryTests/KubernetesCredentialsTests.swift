@testable import Discovery
import Foundation
import Subprocess
import XCTest

final class KubernetesCredentialsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtdisc-credentials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testInClusterReadsTheServiceAccountAndRereadsTheRotatedToken() throws {
        let token = try write("token", "first\n")
        _ = try write("ca.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        let credentials = try KubernetesCredentials.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "198.18.128.1", "KUBERNETES_SERVICE_PORT": "443"], directory: directory.path
        )
        XCTAssertEqual(credentials.server.absoluteString, "https://198.18.128.1:443")
        XCTAssertEqual(credentials.certificateAuthorityFile, directory.appendingPathComponent("ca.crt").path)
        XCTAssertEqual(try credentials.bearerToken(), "first")
        try "second".write(toFile: token, atomically: true, encoding: .utf8)
        XCTAssertEqual(try credentials.bearerToken(), "second")
        XCTAssertThrowsError(try KubernetesCredentials.inCluster(environment: [:], directory: directory.path))
    }

    func testAKubeconfigsCurrentContextGivesServerTokenAndCA() throws {
        let path = try write("config.json", """
        {"apiVersion":"v1","kind":"Config","current-context":"lab",
         "clusters":[{"name":"other","cluster":{"server":"https://198.18.0.9:6443"}},{"name":"mtdisc","cluster":{"server":"https://198.18.0.1:6443","certificate-authority":"/etc/meshtrace/ca.crt"}}],
         "users":[{"name":"agent","user":{"token":"kubeconfig-token"}}],
         "contexts":[{"name":"lab","context":{"cluster":"mtdisc","user":"agent"}}]}
        """)
        let credentials = try KubernetesCredentials.kubeconfig(path: path)
        XCTAssertEqual(credentials.server.absoluteString, "https://198.18.0.1:6443")
        XCTAssertEqual(credentials.certificateAuthorityFile, "/etc/meshtrace/ca.crt")
        XCTAssertEqual(try credentials.bearerToken(), "kubeconfig-token")
        let yaml = try write("config.yaml", "apiVersion: v1\nkind: Config\n")
        XCTAssertThrowsError(try KubernetesCredentials.kubeconfig(path: yaml)) { XCTAssertTrue("\($0)".contains("kubectl config view"), "\($0)") }
    }

    func testAClusterCANotInTheTrustBundleIsReportedBeforeAnyRequest() throws {
        guard (try? ProgramLookup.path("openssl")) != nil else { throw XCTSkip("openssl makes the test CA") }
        let key = directory.appendingPathComponent("ca.key").path, ca = directory.appendingPathComponent("ca.crt").path
        try Command.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", ca, "-days", "1", "-subj", "/CN=mtdisc-test-ca"]).check()
        let credentials = KubernetesCredentials(server: URL(string: "https://198.18.0.1:6443")!, token: "t", certificateAuthorityFile: ca)
        let without = try write("bundle-without.crt", "")
        XCTAssertThrowsError(try KubernetesClient(credentials: credentials, trustBundle: without)) { error in
            XCTAssertTrue("\(error)".contains("is not in \(without)"), "\(error)")
        }
        let with = try write("bundle-with.crt", try String(contentsOfFile: ca, encoding: .utf8))
        XCTAssertNoThrow(try KubernetesClient(credentials: credentials, trustBundle: with))
    }
}
