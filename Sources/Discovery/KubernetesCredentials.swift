import Foundation

/// Where the API server is and how to authenticate to it: the pod's service account (in a
/// DaemonSet), or a kubeconfig's current context.
public struct KubernetesCredentials: Sendable, Equatable {
    public var server: URL
    /// Read again before every request: projected service-account tokens are rotated by the kubelet.
    public var tokenFile: String?
    public var token: String?
    /// The cluster's CA (PEM); see `KubernetesClient` for how it is trusted.
    public var certificateAuthorityFile: String?

    public init(server: URL, token: String? = nil, tokenFile: String? = nil, certificateAuthorityFile: String? = nil) {
        self.server = server
        self.token = token
        self.tokenFile = tokenFile
        self.certificateAuthorityFile = certificateAuthorityFile
    }

    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// In a pod: KUBERNETES_SERVICE_HOST/PORT and the mounted service-account token and CA.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = serviceAccountDirectory
    ) throws -> KubernetesCredentials {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
            throw DiscoveryError.credentials("KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set: not running in a pod")
        }
        let token = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: token) else {
            throw DiscoveryError.credentials("no service-account token at \(token) (automountServiceAccountToken: false?)")
        }
        // An IPv6 service address needs brackets in a URL.
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard let server = URL(string: "https://\(authority)") else {
            throw DiscoveryError.credentials("KUBERNETES_SERVICE_HOST/PORT '\(authority)' is not a host and port")
        }
        let ca = directory + "/ca.crt"
        return KubernetesCredentials(server: server, tokenFile: token, certificateAuthorityFile: FileManager.default.fileExists(atPath: ca) ? ca : nil)
    }

    /// A kubeconfig's current context: its cluster's server and CA, its user's token.
    /// JSON only (`kubectl config view --raw --minify -o json`), since Foundation has no YAML
    /// reader and JSON is valid YAML for every tool that reads kubeconfigs; client certificates
    /// and exec plugins are not supported.
    public static func kubeconfig(path: String) throws -> KubernetesCredentials {
        struct Config: Decodable {
            struct Named<T: Decodable>: Decodable { var name: String; var cluster: T?; var user: T?; var context: T? }
            struct Cluster: Decodable {
                var server: String?
                var certificateAuthority: String?
                enum CodingKeys: String, CodingKey { case server, certificateAuthority = "certificate-authority" }
            }
            struct User: Decodable { var token: String?; var tokenFile: String?
                enum CodingKeys: String, CodingKey { case token, tokenFile }
            }
            struct Context: Decodable { var cluster: String; var user: String }
            var currentContext: String?
            var clusters: [Named<Cluster>]
            var users: [Named<User>]
            var contexts: [Named<Context>]
            enum CodingKeys: String, CodingKey { case currentContext = "current-context", clusters, users, contexts }
        }
        let config: Config
        do {
            config = try JSONDecoder().decode(Config.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DiscoveryError.credentials("\(path) is not a JSON kubeconfig (write one with `kubectl config view --raw --minify -o json`): \(error)")
        }
        guard let name = config.currentContext, let context = config.contexts.first(where: { $0.name == name })?.context else {
            throw DiscoveryError.credentials("\(path) has no current-context")
        }
        guard let cluster = config.clusters.first(where: { $0.name == context.cluster })?.cluster,
              let server = cluster.server.flatMap(URL.init(string:)) else {
            throw DiscoveryError.credentials("\(path): context \(name) names cluster \(context.cluster), which has no server")
        }
        let user = config.users.first { $0.name == context.user }?.user
        guard user?.token != nil || user?.tokenFile != nil else {
            throw DiscoveryError.credentials("\(path): user \(context.user) has no token (client certificates and exec plugins are not supported)")
        }
        return KubernetesCredentials(server: server, token: user?.token, tokenFile: user?.tokenFile, certificateAuthorityFile: cluster.certificateAuthority)
    }

    func bearerToken() throws -> String? {
        if let tokenFile {
            do {
                return try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw DiscoveryError.credentials("cannot read the token \(tokenFile): \(error.localizedDescription)")
            }
        }
        return token
    }
}
