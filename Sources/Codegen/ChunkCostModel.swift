import ObjectModel
import Spec

/// Instructions of the largest search-chunk program as a function of the chunk's bytes: a fixed
/// part (load, geometry, candidate compares) plus a part per byte (the scan), an affine law fitted
/// to what was measured; the planner asks it for the largest chunk that fits the budget.
struct ChunkCostModel {
    struct Sample: Hashable {
        var chunkBytes: Int
        var instructions: Int
    }

    /// Instructions per byte assumed until two samples give the real slope: the profile's
    /// measured growth (unrolled code, ~7 a byte for specs/mesh.swift; loop profiles do not grow).
    let priorPerByte: Double
    private(set) var samples: [Sample] = []

    init(profile: LoopProfile) {
        priorPerByte = profile == .unrolled ? 7 : 0
    }

    mutating func record(chunkBytes: Int, instructions: Int) {
        samples.removeAll { $0.chunkBytes == chunkBytes }
        samples.append(Sample(chunkBytes: chunkBytes, instructions: instructions))
    }

    /// The largest chunk (bytes) predicted to stay within `limit` instructions, or nil before any
    /// sample. One sample: the line through it with the prior slope; two or more: the line through
    /// the two samples nearest the limit. A flat or falling line (loop profiles, whose size does
    /// not grow with the chunk) puts no limit on the chunk: `Int.max`.
    func largestChunk(within limit: Double) -> Int? {
        let nearest = samples.sorted { abs(Double($0.instructions) - limit) < abs(Double($1.instructions) - limit) }
        guard let first = nearest.first else { return nil }
        var slope = priorPerByte
        if nearest.count > 1 {
            let second = nearest[1]
            slope = Double(second.instructions - first.instructions) / Double(second.chunkBytes - first.chunkBytes)
        }
        guard slope > 0 else { return Int.max }
        return max(0, first.chunkBytes + Int((limit - Double(first.instructions)) / slope))
    }
}

extension SearchPlan {
    /// Chunk bytes are a multiple of 8 (one scanned word) and at least one word.
    static func roundedChunk(_ bytes: Int) -> Int {
        max(8, bytes / 8 * 8)
    }

    /// The smallest chunk that covers `window` in as few chunks as chunks of `limit` bytes would:
    /// the same tail calls, the smallest programs.
    static func balancedChunk(window: Int, limit: Int) -> Int {
        let chunks = (window + limit - 1) / limit
        let even = (window + chunks - 1) / chunks
        return min(limit, (even + 7) / 8 * 8)
    }
}
