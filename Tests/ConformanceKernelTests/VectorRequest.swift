import ConformanceVectors
import PacketKit
import Spec
import TestSupport

/// The request a vector's header lines travel in, as a frame over the mesh's overlay path
/// (Ethernet / IPv4 / UDP / VXLAN / Ethernet / IPv4 / TCP / HTTP).
enum VectorRequest {
    /// Fixed placement: Host first, then the vector's context headers in its order, as the
    /// context-first sidecar (deploy/envoy) sends them, then its other lines and the rest.
    /// Anywhere: the vector's lines, in its order, after a few ordinary headers.
    static func http(_ vector: Vectors.Case, placement: Placement, contextNames: Set<String>) -> String {
        let lines = vector.headers.map { ($0[0], $0[1]) }
        let tail = [("User-Agent", "curl/8.5.0"), ("Accept", "*/*")]
        switch placement {
        case .fixed:
            let context = lines.filter { contextNames.contains($0.0.lowercased()) }
            let other = lines.filter { !contextNames.contains($0.0.lowercased()) }
            return Requests.http([("Host", "reviews:9080")] + context + other + tail)
        case .anywhere:
            return Requests.http([("Host", "reviews:9080")] + Requests.filler(count: 3) + lines + tail)
        }
    }

    static func frame(_ http: String) -> [UInt8] {
        Requests.packet(http, .vxlan(vni: 4242, outerSource: [198, 18, 0, 1], outerDestination: [198, 18, 0, 2], sourcePort: 49152)).frame
    }
}
