import Foundation

/// One thing timed: a closure that runs it `repetitions` times and returns the mean ns per run.
struct Subject {
    var key: String
    var run: (Int) throws -> Double
}

/// Best of `rounds` × `repetitions` runs per subject, the subjects interleaved round by round, so
/// a drift of the machine's speed (2× from minute to minute here) hits every subject alike.
struct Interleaved {
    var rounds: Int
    var repetitions: Int

    func best(of subjects: [Subject], progress: (String) -> Void) throws -> [String: Double] {
        var best: [String: Double] = [:]
        for round in 1...rounds {
            let started = Date()
            for subject in subjects {
                let ns = try subject.run(repetitions)
                best[subject.key] = min(best[subject.key] ?? .infinity, ns)
            }
            progress(String(format: "round %d of %d: %d subjects, %.1f s", round, rounds, subjects.count, Date().timeIntervalSince(started)))
        }
        return best
    }
}
