import BPF
import Codegen
import Foundation
import XCTest

/// Which `.text` functions each program takes, on an object clang compiles here: calls, calls
/// from a called function, and a bpf_loop callback's address; a function nobody calls is nobody's.
final class SubprogramsTests: XCTestCase {
    static let source = """
    #include <linux/bpf.h>
    #include <bpf/bpf_helpers.h>

    static __attribute__((noinline)) int leaf(int x) { return x * 3 + 1; }
    static __attribute__((noinline)) int middle(int x) { return leaf(x) + leaf(x + 1); }
    static __attribute__((noinline)) int alone(int x) { return x - 7; }
    __attribute__((noinline)) int unused(int x) { return x ^ 5; } // global: kept, called by no program
    static long step(__u64 i, void *ctx) { *(int *)ctx += (int)i; return 0; }

    SEC("tc") int calls_middle(struct __sk_buff *skb) { return middle(skb->len); }
    SEC("tc") int calls_alone(struct __sk_buff *skb) { return alone(skb->len); }
    SEC("tc") int loops(struct __sk_buff *skb) { int sum = 0; bpf_loop(skb->len & 7, step, &sum, 0); return sum; }
    SEC("tc") int calls_nothing(struct __sk_buff *skb) { return 0; }
    char LICENSE[] SEC("license") = "GPL";
    """

    func testEachProgramTakesWhatItReachesAndNothingElse() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mt-subprograms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("calls.bpf.c"), object = directory.appendingPathComponent("calls.bpf.o")
        try Self.source.write(to: source, atomically: true, encoding: .utf8)
        try ClangDriver().compile(source: source, output: object, profile: .loops)

        let subprograms = try Subprograms(objectBytes: [UInt8](Data(contentsOf: object)))
        XCTAssertEqual(Set(subprograms.functions.map(\.name)), ["leaf", "middle", "alone", "unused", "step"])
        func names(_ program: String) throws -> Set<String> { Set(try subprograms.reached(byProgram: program).map(\.name)) }
        XCTAssertEqual(try names("calls_middle"), ["middle", "leaf"], "a called function's own calls are followed")
        XCTAssertEqual(try names("calls_alone"), ["alone"])
        XCTAssertEqual(try names("loops"), ["step"], "a callback's address is a reach")
        XCTAssertEqual(try names("calls_nothing"), [])
        XCTAssertThrowsError(try subprograms.reached(byProgram: "no_such_program"))
        for function in subprograms.functions {
            XCTAssertGreaterThan(function.count, 0, function.name)
            XCTAssertEqual(subprograms.instructions(of: function).last?.code, 0x95, "\(function.name) ends with exit")
        }
    }
}
