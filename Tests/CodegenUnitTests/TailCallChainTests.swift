import ObjectModel
import Spec
import XCTest

/// The tail-call chain a plan lays out in `mt_progs`: a slot per chunk, the chunks between the
/// first and the last sharing one program.
final class TailCallChainTests: XCTestCase {
    func plan(window: Int, chunkBytes: Int, profile: LoopProfile = .unrolled) -> SearchPlan {
        SearchPlan(window: window, placement: .anywhere, profile: profile, budget: 4096, chunkBytes: chunkBytes, candidateFilter: 2)
    }

    func testEveryChunkHasItsSlotAndTheMiddleOnesShareAProgram() {
        let plan = plan(window: 8192, chunkBytes: 320)
        XCTAssertEqual(plan.chunks, 26)
        XCTAssertEqual(plan.tailCalls.count, 27, "26 chunk slots, then finish")
        XCTAssertEqual(plan.tailCalls.first, .searchChunk(0))
        XCTAssertEqual(Set(plan.tailCalls[1...24]), [.searchMiddleChunks])
        XCTAssertEqual(plan.tailCalls[25], .searchChunk(25))
        XCTAssertEqual(plan.tailCalls.last, .finish)
        XCTAssertEqual(plan.searchPrograms, [.searchChunk(0), .searchMiddleChunks, .searchChunk(25)])
    }

    func testLoopProfilesKeepAProgramPerChunk() {
        for profile in [LoopProfile.loops, .bpfLoop] {
            let plan = plan(window: 8192, chunkBytes: 512, profile: profile)
            XCTAssertEqual(plan.tailCalls, (0..<16).map(ProgramSymbol.searchChunk) + [.finish], "\(profile)")
            XCTAssertEqual(plan.searchPrograms, (0..<16).map(ProgramSymbol.searchChunk), "\(profile)")
        }
    }

    func testShortChainsHaveNoMiddleProgram() {
        XCTAssertEqual(plan(window: 200, chunkBytes: 200).tailCalls, [.searchChunk(0), .finish])
        XCTAssertEqual(plan(window: 1024, chunkBytes: 512).tailCalls, [.searchChunk(0), .searchChunk(1), .finish])
        XCTAssertEqual(plan(window: 1024, chunkBytes: 344).tailCalls, [.searchChunk(0), .searchMiddleChunks, .searchChunk(2), .finish])
    }

    func testTheMiddleProgramsNameRoundTripsAndSaysWhichChunksItSearches() {
        let middle = ProgramSymbol.searchMiddleChunks
        XCTAssertEqual(middle.name, "mt_search_middle")
        XCTAssertEqual(ProgramSymbol(name: middle.name), middle)
        XCTAssertTrue(middle.isSearchChunk)
        XCTAssertEqual(middle.role(chunks: 26), "search chunks 2-25 of 26")
        XCTAssertNil(ProgramSymbol(name: "mt_search_mid"))
        XCTAssertEqual([ProgramSymbol.finish, .searchChunk(25), middle, .searchChunk(0), .entry(.ingress)].sorted(),
                       [.entry(.ingress), .searchChunk(0), middle, .searchChunk(25), .finish])
    }
}
