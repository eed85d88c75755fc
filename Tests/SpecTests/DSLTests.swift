@testable import Spec
import XCTest

/// The result-builder DSL (Sources/Spec/DSL), built in-process: `MeshSpec(unregistered:)` builds
/// the IR without registering it, so the test process never writes IR when it exits.
final class DSLTests: XCTestCase {
    private func build(withVLAN: Bool, legacy: Bool, tunnelPorts: [Int]) -> SpecIR {
        let tail: [State] = [
            State("tcp") { Extract(tcp); Transition(.accept) },
        ]
        return MeshSpec(unregistered: "builders") {
            Parser(start: "ethernet") {
                State("ethernet") {
                    Extract(ethernet)
                    Select(ethernet.etherType) {
                        if withVLAN {
                            Case(0x8100, "vlan")
                        }
                        Case(0x0800, "ipv4")
                    }
                }
                if withVLAN {
                    State("vlan", maxVisits: 2) {
                        Extract(vlan)
                        Select(vlan.etherType) { Case(0x8100, "vlan"); Case(0x0800, "ipv4") }
                    }
                }
                State("ipv4") {
                    Extract(ipv4)
                    Select(ipv4.protocol) {
                        Case(6, "tcp")
                        if !tunnelPorts.isEmpty { Case(17, "udp") }
                    }
                }
                if !tunnelPorts.isEmpty {
                    State("udp") {
                        Extract(udp)
                        Select(udp.dstPort) {
                            for port in tunnelPorts {
                                Case(.exact(UInt64(port)), "vxlan")
                            }
                        }
                    }
                    State("vxlan") {
                        Extract(vxlan)
                        if legacy { EnterTunnel(.other) } else { EnterTunnel(.vxlan) }
                        Transition("inner_ethernet")
                    }
                    State("inner_ethernet") {
                        Extract(ethernet)
                        Select(ethernet.etherType) { Case(0x0800, "inner_ipv4") }
                    }
                    State("inner_ipv4") {
                        Extract(ipv4)
                        Select(ipv4.protocol) { Case(6, "tcp") }
                    }
                }
                tail
            }
            if legacy {
                SearchWindow(bytes: 900, placement: .anywhere, formats: .b3Multi)
            } else {
                SearchWindow(bytes: 200, formats: .w3c(tracestate: false))
            }
            for name in ["nic", "vport"] {
                TracingPoint(name, hooks: .ingress, .egress)
            }
            if withVLAN {
                Hop("rx", from: .ingress(of: "nic"), to: .egress(of: "vport"))
            }
        }.ir
    }

    func testIfElseAndForInEveryKindOfBlock() {
        let full = build(withVLAN: true, legacy: false, tunnelPorts: [4789, 8472])
        XCTAssertEqual(full.parser.states.map(\.name), ["ethernet", "vlan", "ipv4", "udp", "vxlan", "inner_ethernet", "inner_ipv4", "tcp"])
        XCTAssertEqual(full.parser.state(named: "ethernet")?.successors, ["vlan", "ipv4", ParserGraph.reject])
        guard case .select(let udp)? = full.parser.state(named: "udp")?.transition else { return XCTFail("udp has no select") }
        XCTAssertEqual(udp.cases.map(\.matchers), [[.exact(4789)], [.exact(8472)]])
        XCTAssertEqual(udp.cases.map(\.next), ["vxlan", "vxlan"])
        XCTAssertEqual(full.parser.state(named: "vxlan")?.tunnel, .vxlan)
        XCTAssertEqual(full.search.bytes, 200)
        XCTAssertEqual(full.search.formats, [.w3c(tracestate: false)])
        XCTAssertEqual(full.points.map(\.name), ["nic", "vport"])
        XCTAssertEqual(full.hops.map(\.name), ["rx"])
        XCTAssertEqual(full.headers.map(\.name), ["ethernet", "ipv4", "tcp", "udp", "vlan", "vxlan"], "headers are deduplicated and sorted")
        XCTAssertEqual(SpecValidator.validate(full), [])

        let small = build(withVLAN: false, legacy: true, tunnelPorts: [])
        XCTAssertEqual(small.parser.states.map(\.name), ["ethernet", "ipv4", "tcp"])
        XCTAssertEqual(small.parser.state(named: "ethernet")?.successors, ["ipv4", ParserGraph.reject])
        XCTAssertEqual(small.search, SearchWindow(formats: [.b3Multi], placement: .anywhere, bytes: 900, line: small.search.line))
        XCTAssertEqual(small.hops, [])
        XCTAssertEqual(SpecValidator.validate(small), [])

        let legacyTunnel = build(withVLAN: false, legacy: true, tunnelPorts: [6081])
        XCTAssertEqual(legacyTunnel.parser.state(named: "vxlan")?.tunnel, .other)
    }

    func testAnEventNamesItsPointInOneByte() {
        var ir = build(withVLAN: false, legacy: false, tunnelPorts: [])
        ir.points = (0..<SpecValidator.maxTracingPoints).map { TracingPoint(name: "p\($0)", hooks: [.ingress]) }
        ir.hops = []
        XCTAssertEqual(SpecValidator.validate(ir), [], "254 points fit")
        ir.points.append(TracingPoint(name: "one-more", hooks: [.ingress]))
        XCTAssertEqual(SpecValidator.validate(ir).map(\.message),
                       ["spec 'builders' has 255 tracing points; an event names its point in one byte: at most 254"])
    }

    func testMultiFieldSelectWithMaskRangeAndAny() {
        let ir = MeshSpec(unregistered: "select") {
            Parser(start: "ethernet") {
                State("ethernet") { Extract(ethernet); Select(ethernet.etherType) { Case(0x0800, "ipv4") } }
                State("ipv4") { Extract(ipv4); Select(ipv4.protocol) { Case(17, "udp") } }
                State("udp") {
                    Extract(udp)
                    Select(ipv4.ttl, udp.srcPort, udp.dstPort) {
                        Case([.any, .any, 4789], "vxlan")
                        Case([.range(lower: 1, upper: 16), .mask(value: 0x8000, mask: 0xc000), .any], .reject)
                        Case([0, .any, .range(lower: 0x90, upper: 0x9f)], .reject)
                        Default(.accept)
                    }
                }
                State("vxlan") { Extract(vxlan); Transition(.accept) }
            }
            TracingPoint("nic", hooks: .ingress)
        }.ir

        guard case .select(let select)? = ir.parser.state(named: "udp")?.transition else { return XCTFail("udp has no select") }
        XCTAssertEqual(select.keys, [ipv4.ttl, udp.srcPort, udp.dstPort])
        XCTAssertEqual(select.keys.map(\.description), ["ipv4.ttl", "udp.srcPort", "udp.dstPort"])
        XCTAssertEqual(select.cases.map(\.matchers), [
            [.any, .any, .exact(4789)],
            [.range(lower: 1, upper: 16), .mask(value: 0x8000, mask: 0xc000), .any],
            [.exact(0), .any, .range(lower: 0x90, upper: 0x9f)],
        ])
        XCTAssertEqual(select.cases.map(\.next), ["vxlan", ParserGraph.reject, ParserGraph.reject])
        XCTAssertEqual(select.defaultNext, ParserGraph.accept)
        XCTAssertEqual(ir.parser.state(named: "udp")?.successors, ["vxlan", "reject", "reject", "accept"])
        XCTAssertNotNil(select.line)
        XCTAssertEqual(SpecValidator.validate(ir), [])

        XCTAssertTrue(Matcher.mask(value: 0x8000, mask: 0xc000).matches(0xbfff))
        XCTAssertFalse(Matcher.mask(value: 0x8000, mask: 0xc000).matches(0x4000))
        XCTAssertTrue(Matcher.range(lower: 1, upper: 16).matches(16))
        XCTAssertFalse(Matcher.range(lower: 1, upper: 16).matches(0))
        XCTAssertTrue(Matcher.any.matches(.max))
        XCTAssertTrue(Matcher.exact(7).matches(7))
    }

    func testSelectCaseMistakes() {
        let ir = MeshSpec(unregistered: "cases") {
            Parser(start: "ethernet") {
                State("ethernet") {
                    Extract(ethernet)
                    Select(ethernet.etherType, ethernet.etherType) {
                        Case(0x0800, .accept)
                        Case([0x10000, .any], .accept)
                        Case([.range(lower: 9, upper: 1), .any], .accept)
                    }
                }
            }
            TracingPoint("nic", hooks: .ingress)
        }.ir
        let messages = SpecValidator.validate(ir).map(\.message)
        XCTAssertEqual(messages, [
            "a case in state 'ethernet' has 1 values for 2 key fields",
            "a case in state 'ethernet' uses 65536, which does not fit a 16-bit field",
            "a case in state 'ethernet' has an empty range 9...1",
        ])
    }

    func testUserDeclaredHeaderWithLengthRulesAndRole() {
        let option = Header(
            "opt",
            length: [.extraLength(field: "len", unit: 4), .optional(field: "flags", mask: 0x80, bytes: 4)],
            role: .tunnel(vni: "id")
        ) {
            Field("flags", bits: 8)
            Field("len", bits: 8)
            for index in 0..<2 {
                Field("pad\(index)", bits: 8)
            }
            Field("id", bits: 24)
            Field("reserved", bits: 8)
        }
        let declaration = option.declaration
        XCTAssertEqual(declaration.fields.map(\.name), ["flags", "len", "pad0", "pad1", "id", "reserved"])
        XCTAssertEqual(declaration.fixedBits, 64)
        XCTAssertEqual(declaration.fixedBytes, 8)
        XCTAssertEqual(declaration.bitOffset(of: "id"), 32)
        XCTAssertNil(declaration.bitOffset(of: "nope"))
        XCTAssertEqual(declaration.length, [.extraLength(field: "len", unit: 4), .optional(field: "flags", mask: 0x80, bytes: 4)])
        XCTAssertEqual(declaration.role, .tunnel(vni: "id"))
        XCTAssertNotNil(declaration.line)
        XCTAssertEqual(option.id, FieldRef(header: "opt", field: "id"))

        let ir = MeshSpec(unregistered: "user-header") {
            Parser(start: "ethernet") {
                State("ethernet") { Extract(ethernet); Select(ethernet.etherType) { Case(0x0800, "ipv4") } }
                State("ipv4") { Extract(ipv4); Select(ipv4.protocol) { Case(17, "udp") } }
                State("udp") { Extract(udp); Select(udp.dstPort) { Case(6081, "opt") } }
                State("opt") {
                    Extract(option)
                    EnterTunnel(.other)
                    Select(option.flags) { Case(.mask(value: 0x01, mask: 0x01), .accept) }
                }
            }
            Record(.timestamp, .field(option.id), .traceContext)
            TracingPoint("nic", hooks: .ingress)
        }.ir
        XCTAssertEqual(ir.header(named: "opt"), declaration)
        XCTAssertEqual(SpecValidator.validate(ir), [])
    }

    func testEveryTraceContextFormat() {
        let ir = MeshSpec(unregistered: "formats") {
            Parser(start: "ethernet") {
                State("ethernet") { Extract(ethernet); Transition(.accept) }
            }
            SearchWindow(
                bytes: 4096, placement: .anywhere,
                formats: .w3c(tracestate: true), .b3Multi, .b3Single, .jaeger, .custom(name: "X-Request-Id", maxValueBytes: 36)
            )
            TracingPoint("nic", hooks: .egress)
        }.ir
        XCTAssertEqual(ir.search.placement, .anywhere)
        XCTAssertEqual(ir.search.bytes, 4096)
        XCTAssertEqual(ir.search.formats.map(\.label), ["w3c", "b3", "b3-single", "jaeger", "custom:x-request-id"])
        XCTAssertEqual(ir.search.formats.flatMap(\.headers).map(\.name), [
            "traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags",
            "b3", "uber-trace-id", "x-request-id",
        ])
        XCTAssertEqual(ir.search.formats.flatMap(\.headers).map(\.maxValueBytes), [55, 256, 32, 16, 16, 1, 1, 68, 70, 36])
        XCTAssertEqual(TraceContextFormat.w3c(tracestate: false).headers.map(\.name), ["traceparent"])
        XCTAssertEqual(SpecValidator.validate(ir), [])

        let bad = MeshSpec(unregistered: "bad-custom") {
            Parser(start: "ethernet") {
                State("ethernet") { Extract(ethernet); Transition(.accept) }
            }
            SearchWindow(bytes: 200, formats: .custom(name: "x id", maxValueBytes: 0))
            TracingPoint("nic", hooks: .egress)
        }.ir
        XCTAssertEqual(SpecValidator.validate(bad).map(\.message), [
            "custom context header name 'x id' is not an HTTP header token",
            "custom context header 'x id' keeps 0 value bytes; keep 1 to 256",
        ])
    }

    func testDefaultsWhenASpecSaysLittle() {
        let ir = MeshSpec(unregistered: "defaults") {
            Parser(start: "ethernet") {
                State("ethernet") { Extract(ethernet); Transition(.accept) }
            }
            TracingPoint("nic", hooks: .ingress)
        }.ir
        XCTAssertEqual(ir.http, HTTPDetection(requests: true, responses: false, methods: HTTPDetection.allMethods))
        XCTAssertEqual(ir.search, SearchWindow(formats: [.w3c(tracestate: false)], placement: .fixed, bytes: 200))
        XCTAssertEqual(ir.record.fields, EventRecord.standardFields)
        XCTAssertEqual(ir.target, TargetProfile(instructionBudget: 4096, complexityBudget: 1_000_000, profile: .unrolled))
        XCTAssertEqual(ir.maps, [])
        XCTAssertEqual(ir.tables, [])
        XCTAssertEqual(SpecValidator.validate(ir), [])
    }

    func testStateWithoutTransitionRejects() {
        let state = State("x") { Extract(ethernet) }
        XCTAssertEqual(state.state.successors, [ParserGraph.reject])
        XCTAssertEqual(state.state.extracts, ["ethernet"])
    }

    func testDSLMistakesBecomeDiagnostics() {
        let ir = MeshSpec(unregistered: "mistakes") {
            Parser(start: "ethernet") {
                State("ethernet") {
                    Transition(.accept)
                    Extract(ethernet)
                    Transition(.reject)
                    EnterTunnel(.gre)
                    EnterTunnel(.gre)
                }
            }
            Parser(start: "ethernet") {
                State("ethernet") { Extract(ethernet); Transition(.accept) }
            }
            TracingPoint("nic", hooks: .ingress)
        }.ir
        XCTAssertEqual(SpecValidator.validate(ir).map(\.message), [
            "state 'ethernet' extracts after its transition",
            "state 'ethernet' has more than one transition",
            "state 'ethernet' enters a tunnel twice",
            "a spec has one Parser; this is a second one",
        ])
    }
}
