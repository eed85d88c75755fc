import Foundation
import Lab

/// tcpdump at both points of both hops of a testbed, the ground truth the join tests compare the
/// runners' joins with: `rx-from` (node2's NIC, VXLAN), `rx-to` (pod2's vport), `tx-from` (pod1's
/// vport) and `tx-to` (node1's NIC, VXLAN).
public enum HopCaptures {
    public static func start(_ testbed: Testbed) throws -> [String: PacketCapture] {
        let topology = testbed.topology
        let (node1, node2, pod1, pod2) = (topology.node1, topology.node2, topology.pod1, topology.pod2)
        return [
            "rx-from": try PacketCapture(testbed: testbed, namespace: node2.namespace, interface: node2.nic, filter: ["udp", "port", "4789"]),
            "rx-to": try PacketCapture(testbed: testbed, namespace: node2.namespace, interface: pod2.vport, filter: ["tcp"]),
            "tx-from": try PacketCapture(testbed: testbed, namespace: node1.namespace, interface: pod1.vport, filter: ["tcp"]),
            "tx-to": try PacketCapture(testbed: testbed, namespace: node1.namespace, interface: node1.nic, filter: ["udp", "port", "4789"]),
        ]
    }
}
