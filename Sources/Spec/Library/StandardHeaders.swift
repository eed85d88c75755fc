// The standard library of header types. Field names follow the RFCs, in lowerCamelCase;
// every one is a plain `Header` a user could have declared.

private func builtin(
    _ name: String, length: [LengthRule] = [], role: HeaderRole? = nil, _ fields: KeyValuePairs<String, Int>
) -> Header {
    Header(builtin: HeaderType(name: name, fields: fields.map { HeaderField(name: $0.key, bits: $0.value) }, length: length, role: role))
}

/// Ethernet II (IEEE 802.3).
public let ethernet = builtin("ethernet", ["dstAddr": 48, "srcAddr": 48, "etherType": 16])

/// An IEEE 802.1Q tag, extracted after an EtherType of 0x8100 (or 0x88a8); stack it with `maxVisits`.
public let vlan = builtin("vlan", ["pcp": 3, "dei": 1, "vid": 12, "etherType": 16])

/// IPv4 (RFC 791), options skipped by IHL.
public let ipv4 = builtin(
    "ipv4",
    length: [.totalLength(field: "ihl", unit: 4)],
    role: .network(source: "srcAddr", destination: "dstAddr", nextProtocol: "protocol", length: "totalLength", lengthIncludesHeader: true),
    [
        "version": 4, "ihl": 4, "dscp": 6, "ecn": 2, "totalLength": 16, "identification": 16, "flags": 3,
        "fragmentOffset": 13, "ttl": 8, "protocol": 8, "checksum": 16, "srcAddr": 32, "dstAddr": 32,
    ]
)

/// The IPv6 fixed header (RFC 8200); the next header is TCP, UDP or IPv4 directly.
public let ipv6 = builtin(
    "ipv6",
    role: .network(source: "srcAddr", destination: "dstAddr", nextProtocol: "nextHeader", length: "payloadLength", lengthIncludesHeader: false),
    [
        "version": 4, "trafficClass": 8, "flowLabel": 20, "payloadLength": 16, "nextHeader": 8, "hopLimit": 8,
        "srcAddr": 128, "dstAddr": 128,
    ]
)

/// UDP (RFC 768).
public let udp = builtin(
    "udp", role: .transport(sourcePort: "srcPort", destinationPort: "dstPort"),
    ["srcPort": 16, "dstPort": 16, "length": 16, "checksum": 16]
)

/// TCP (RFC 9293), options skipped by the data offset.
public let tcp = builtin(
    "tcp",
    length: [.totalLength(field: "dataOffset", unit: 4)],
    role: .transport(sourcePort: "srcPort", destinationPort: "dstPort"),
    [
        "srcPort": 16, "dstPort": 16, "seqNo": 32, "ackNo": 32, "dataOffset": 4, "reserved": 4, "flags": 8,
        "window": 16, "checksum": 16, "urgentPointer": 16,
    ]
)

/// VXLAN (RFC 7348). Reserved bits are not checked: real traffic sets them.
public let vxlan = builtin(
    "vxlan", role: .tunnel(vni: "vni"),
    ["flags": 8, "reserved": 24, "vni": 24, "reserved2": 8]
)

/// Geneve (RFC 8926), options skipped by their length.
public let geneve = builtin(
    "geneve",
    length: [.extraLength(field: "optLen", unit: 4)],
    role: .tunnel(vni: "vni"),
    ["version": 2, "optLen": 6, "oam": 1, "critical": 1, "reserved": 6, "protocolType": 16, "vni": 24, "reserved2": 8]
)

/// GRE (RFC 2784, RFC 2890): checksum, key and sequence words follow when their bits are set.
public let gre = builtin(
    "gre",
    length: [
        .optional(field: "checksumPresent", mask: 1, bytes: 4),
        .optional(field: "keyPresent", mask: 1, bytes: 4),
        .optional(field: "sequencePresent", mask: 1, bytes: 4),
    ],
    [
        "checksumPresent": 1, "routingPresent": 1, "keyPresent": 1, "sequencePresent": 1, "reserved0": 9,
        "version": 3, "protocol": 16,
    ]
)
