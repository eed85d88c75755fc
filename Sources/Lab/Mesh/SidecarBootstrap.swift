import Foundation

/// The Envoy configuration of one pod of the mesh. A sidecar has Istio's listeners: outbound on
/// 15001 (what the pod's iptables redirect its app's outgoing TCP to; the original destination
/// picks the upstream), inbound on 15006 (what arriving TCP is redirected to; forwarded to the app
/// on 127.0.0.1:9080). The gateway has one listener on the testbed's HTTP port, routed to
/// productpage, and starts the trace. Every proxy traces and exports its spans to a listener of
/// its own that accepts and discards them. The requests a proxy sends to another pod carry Istio's
/// metadata-exchange headers; with the proposed format their router runs deploy/envoy's
/// context-first filter, as deploy/istio/context-first.yaml installs it (SIDECAR_OUTBOUND, GATEWAY).
public struct SidecarBootstrap {
    var service: MeshTopology.Service
    var mesh: MeshTopology
    var variant: MeshVariant

    func yaml() throws -> String {
        let pod = mesh.pod(service)
        let outboundRouter = variant.format == .proposed ? try Self.contextFirstRouter() : Self.stockRouter
        var listeners: [String]
        var clusters = [Self.cluster("collector", address: "127.0.0.1", port: MeshTopology.collectorPort)]
        let headers = PeerMetadata.headers(for: service, pod: pod)
        if service == .gateway {
            let productpage = mesh.pod(.productpage)
            listeners = [listener("gateway", address: "0.0.0.0", port: mesh.topology.httpPort, originalDestination: false,
                                  cluster: "productpage", router: outboundRouter, added: headers, edge: true)]
            clusters.append(Self.cluster("productpage", address: productpage.ip, port: MeshTopology.appPort))
        } else {
            listeners = [
                listener("virtualOutbound", address: "0.0.0.0", port: MeshTopology.outboundPort, originalDestination: true,
                         cluster: "passthrough", router: outboundRouter, added: headers, edge: false),
                listener("virtualInbound", address: "0.0.0.0", port: MeshTopology.inboundPort, originalDestination: false,
                         cluster: "inbound_app", router: Self.stockRouter, added: [], edge: false),
            ]
            clusters.append("""
                - name: passthrough
                  type: ORIGINAL_DST
                  lb_policy: CLUSTER_PROVIDED
                  connect_timeout: 1s
                """)
            clusters.append(Self.cluster("inbound_app", address: "127.0.0.1", port: MeshTopology.appPort))
        }
        listeners.append(Self.collectorListener)
        return """
            admin:
              address: {socket_address: {address: 127.0.0.1, port_value: \(MeshTopology.adminPort)}}
            static_resources:
              listeners:
            \(Self.indent(listeners.joined(separator: "\n"), by: 2))
              clusters:
            \(Self.indent(clusters.joined(separator: "\n"), by: 2))
            """
    }

    private func listener(_ name: String, address: String, port: Int, originalDestination: Bool, cluster: String,
                          router: String, added: [(name: String, value: String)], edge: Bool) -> String {
        let direction = cluster == "inbound_app" ? "INBOUND" : "OUTBOUND"
        let listenerFilters = originalDestination ? """
            listener_filters:
            - name: envoy.filters.listener.original_dst
              typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst}
            """ : ""
        let headers = added.map { "- header: {key: \($0.name), value: \"\($0.value)\"}\n  append_action: OVERWRITE_IF_EXISTS_OR_ADD" }
            .joined(separator: "\n")
        return """
            - name: \(name)
              address: {socket_address: {address: \(address), port_value: \(port)}}
              # As Istio marks them: the tracer makes a client span (a new span id) for what goes out.
              traffic_direction: \(direction)
            \(Self.indent(listenerFilters, by: 2))
              filter_chains:
              - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: \(name)
                    # The gateway is the edge: it writes x-forwarded-for from the peer and starts the trace.
                    use_remote_address: \(edge)
                    tracing:
            \(Self.indent(tracing, by: 10))
                    route_config:
                      name: \(name)
                      request_headers_to_add:\(headers.isEmpty ? " []" : "\n" + Self.indent(headers, by: 10))
                      virtual_hosts:
                      - name: all
                        domains: ["*"]
                        routes:
                        - match: {prefix: "/"}
                          route: {cluster: \(cluster), timeout: 10s}
                    http_filters:
            \(Self.indent(router, by: 8))
            """
    }

    /// OpenTelemetry over OTLP/HTTP or Zipkin (B3 headers only), both to the pod's own discarding collector.
    private var tracing: String {
        let name = service == .gateway ? "istio-ingressgateway" : "\(service.rawValue).default"
        switch variant.tracer {
        case .w3c:
            return """
                provider:
                  name: envoy.tracers.opentelemetry
                  typed_config:
                    "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                    http_service:
                      http_uri: {uri: "http://127.0.0.1:\(MeshTopology.collectorPort)/v1/traces", cluster: collector, timeout: 0.25s}
                    service_name: \(name)
                """
        case .b3:
            return Self.zipkinProvider()
        }
    }

    /// The Zipkin tracer's provider block, to the `collector` cluster; `propagation` is its
    /// trace_context_option (B3 only when nil). SidecarTests use it with B3 and W3C both.
    public static func zipkinProvider(propagation: String? = nil) -> String {
        """
        provider:
          name: envoy.tracers.zipkin
          typed_config:
            "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
            collector_cluster: collector
            collector_endpoint: /api/v2/spans
            collector_endpoint_version: HTTP_JSON
        """ + (propagation.map { "\n    trace_context_option: \($0)" } ?? "")
    }

    /// Accepts every span export (200) and keeps nothing.
    private static let collectorListener = """
        - name: collector
          address: {socket_address: {address: 127.0.0.1, port_value: \(MeshTopology.collectorPort)}}
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: collector
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                    - match: {prefix: "/"}
                      direct_response: {status: 200}
                http_filters:
        \(indent(stockRouter, by: 8))
        """

    static let stockRouter = """
        - name: envoy.filters.http.router
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        """

    /// deploy/envoy/context-first-filter.yaml with the repository's Lua file.
    static func contextFirstRouter() throws -> String {
        let lua = MeshFiles.contextFirstLua
        _ = try MeshFiles.deployed(lua)
        let fragment = try MeshFiles.deployed(MeshFiles.contextFirstRouter)
        guard fragment.contains("/etc/envoy/context-first.lua") else {
            throw LabError.unexpectedOutput("\(MeshFiles.contextFirstRouter.path) no longer names /etc/envoy/context-first.lua")
        }
        return fragment.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .joined(separator: "\n")
            .replacingOccurrences(of: "/etc/envoy/context-first.lua", with: lua.path)
    }

    private static func cluster(_ name: String, address: String, port: Int) -> String {
        """
        - name: \(name)
          type: STATIC
          connect_timeout: 1s
          load_assignment:
            cluster_name: \(name)
            endpoints:
            - lb_endpoints:
              - endpoint: {address: {socket_address: {address: \(address), port_value: \(port)}}}
        """
    }

    public static func indent(_ text: String, by spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
    }
}
