import Foundation

extension Mesh {
    /// A browser's request for Bookinfo's product page, as it reaches the ingress gateway (which
    /// starts the trace: the request carries no context of its own).
    static let browserRequest = OpenLoopRequest(head: """
        GET /productpage HTTP/1.1\r
        Host: bookinfo.example.com\r
        User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r
        Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r
        Accept-Language: en-US,en;q=0.5\r
        Cookie: session=eyJ1c2VyIjoiamFzb24ifQ.Z3k1bA.8cJ0yq2XQm3Nf2pN1w\r
        Connection: close\r
        \r

        """, tail: nil)

    /// `qps` requests per second for `seconds` from the client pod to the gateway, on schedule.
    public func openLoop(qps: Double, seconds: Double) throws -> OpenLoopReport {
        let gateway = layout.pod(.gateway)
        return try testbed.openLoop(from: layout.client.namespace, to: gateway.ip, port: layout.topology.httpPort, rate: qps,
                                    seconds: seconds, request: Mesh.browserRequest)
    }
}
