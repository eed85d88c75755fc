import Foundation

/// Whether a PEM certificate is among those of a CA bundle, compared by their base64 bodies.
enum TrustBundle {
    static func check(certificate path: String, isIn bundle: String) throws {
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DiscoveryError.credentials("cannot read the cluster CA \(path)")
        }
        let wanted = bodies(pem)
        guard !wanted.isEmpty else { throw DiscoveryError.credentials("\(path) holds no PEM certificate") }
        let trusted = Set(bodies((try? String(contentsOfFile: bundle, encoding: .utf8)) ?? ""))
        guard wanted.allSatisfy(trusted.contains) else {
            throw DiscoveryError.credentials(
                "the cluster CA \(path) is not in \(bundle), the only trust store URLSession uses on Linux; append it (the DaemonSet's init container does: cat ca-certificates.crt ca.crt)"
            )
        }
    }

    static func bodies(_ pem: String) -> [String] {
        pem.components(separatedBy: "-----BEGIN CERTIFICATE-----").dropFirst().compactMap { part in
            part.components(separatedBy: "-----END CERTIFICATE-----").first?.filter { !$0.isWhitespace }
        }
    }
}
