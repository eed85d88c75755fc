import Spec
import TraceContexts
import XCTest

final class B3Tests: XCTestCase {
    let b3: [TraceContextFormat] = [.b3Multi, .b3Single]
    let shortId = "a3ce929d0e0e4736"

    func testSixtyFourBitTraceIdIsPaddedAndKept() throws {
        let context = try XCTUnwrap(verdict(b3, observed("x-b3-traceid", shortId), observed("x-b3-spanid", spanId)).context)
        XCTAssertEqual(context.traceId.hex, "0000000000000000" + shortId)
        XCTAssertEqual(context.traceId.original, shortId)
        XCTAssertEqual(context.sampling, Sampling(sampled: nil), "absent sampling state is defer")
    }

    /// With a copy of 5 bytes the README's legacy booleans are whole and accepted.
    func testLegacyBooleansWhenCopiedWhole() {
        for (value, sampled) in [("true", true), ("false", false)] {
            let result = verdict(b3, observed("x-b3-traceid", traceId), observed("x-b3-spanid", spanId), observed("x-b3-sampled", value))
            XCTAssertEqual(result.context?.sampling.sampled, sampled)
        }
        let cut = verdict(b3, observed("x-b3-traceid", traceId), observed("x-b3-spanid", spanId), observed("x-b3-sampled", "t", length: 4))
        XCTAssertEqual(cut.invalidReason?.description, "x-b3-sampled: value is 4 bytes but only 1 were copied, so it cannot be checked whole")
    }

    func testDebugFlagImpliesSampled() {
        let result = verdict(b3, observed("x-b3-traceid", traceId), observed("x-b3-spanid", spanId), observed("x-b3-sampled", "0"), observed("x-b3-flags", "1"))
        XCTAssertEqual(result.context?.sampling, Sampling(sampled: true, debug: true))
        let ignored = verdict(b3, observed("x-b3-sampled", "0"), observed("x-b3-flags", "3"))
        XCTAssertEqual(ignored.outcome, .validWithoutIds(Sampling(sampled: false)))
        XCTAssertEqual(ignored.notes, ["x-b3-flags ignored: only 1 means debug"])
    }

    func testIdsTooLongAreDefinitelyInvalid() {
        let result = verdict(b3, observed("x-b3-traceid", traceId, length: 40), observed("x-b3-spanid", spanId))
        XCTAssertEqual(result.invalidReason?.description, "x-b3-traceid: value is 40 bytes, longer than the 32 of its longest valid form")
    }

    func testHeadersMustComeInPairs() {
        XCTAssertEqual(verdict(b3, observed("x-b3-spanid", spanId)).invalidReason?.description, "x-b3-traceid: missing while x-b3-spanid is sent")
        XCTAssertEqual(verdict(b3, observed("x-b3-parentspanid", spanId)).invalidReason?.description,
                       "x-b3-parentspanid: sent without x-b3-traceid and x-b3-spanid")
        XCTAssertEqual(verdict(b3, observed("x-b3-flags", "0")).invalidReason?.description, "x-b3-flags: carries neither ids nor a sampling state")
    }

    func testSingleHeaderForms() {
        XCTAssertEqual(verdict(b3, observed("b3", "d")).outcome, .validWithoutIds(Sampling(sampled: true, debug: true)))
        let full = verdict(b3, observed("b3", "\(traceId)-\(spanId)-1-\(shortId)")).context
        XCTAssertEqual(full?.parentSpanId?.hex, shortId)
        XCTAssertEqual(full?.rawFlags, "1")
        XCTAssertEqual(verdict(b3, observed("b3", "\(traceId)-\(spanId)-1-\(shortId)", length: 69)).invalidReason?.problem,
                       "value is 69 bytes, longer than the 68 of its longest valid form")
        XCTAssertEqual(verdict(b3, observed("b3", "\(traceId)-\(spanId)-1-0000000000000000")).invalidReason?.problem, "parent span id is all zeros")
    }

    func testSingleWinsUnlessInvalid() {
        let multi = [observed("x-b3-traceid", shortId), observed("x-b3-spanid", spanId)]
        let single = ContextParser(formats: b3).verdict(for: multi + [observed("b3", "0")])
        XCTAssertEqual(single.format, .b3Single, "a sampling-only b3 still takes precedence")
        let fallback = ContextParser(formats: b3).verdict(for: multi + [observed("b3", "x")])
        XCTAssertEqual(fallback.format, .b3Multi)
        XCTAssertEqual(fallback.notes.first, "invalid b3 set aside for the x-b3-* headers (b3: 'x' is neither trace-span ids nor a sampling state 0, 1 or d)")
    }

    func testDuplicates() {
        XCTAssertEqual(verdict(b3, observed("b3", "1", occurrences: 2)).invalidReason?.problem, "more than one b3 header in the request; exactly one is allowed")
        let first = verdict(b3, observed("x-b3-traceid", traceId, occurrences: 2), observed("x-b3-spanid", spanId))
        XCTAssertEqual(first.context?.traceId.hex, traceId)
        XCTAssertEqual(first.notes, ["x-b3-traceid sent more than once: the first value wins"])
    }

    /// The kernel searches for x-b3-flags too: a debug flag reaches the parser from the wire.
    func testFlagsHeaderIsOneOfTheSpecsHeaders() {
        XCTAssertEqual(TraceContextFormat.b3Multi.headers.map(\.name).last, "x-b3-flags")
    }
}
