// Per-machine tuning, the measuring half: each tunable layer shape (KernelTuning.swift) is
// planned alone once per candidate, and the candidates are timed in alternation, round by
// round, on the calling thread (the point's pinned core), so that drift and a noisy neighbour
// fall on all of them alike. A candidate replaces the built-in choice only when the median of
// its per-round ratios to the built-in one is below `adoptBelow`: a tie keeps the built-in rule.
import Foundation
import SandglassEngine
import SandglassProbes

/// What the tuner found for one layer shape.
public struct TuningEntry: Codable, Sendable, Equatable {
    public var choice: TunedChoice
    /// Median per-round time of the choice over the built-in choice's (1 when it is the built-in one).
    public var ratioToBuiltIn: Double
    /// The best rejected or adopted alternative's ratio, for the record.
    public var bestAlternativeRatio: Double
    public var candidates: Int
    public var rounds: Int
    /// The layer it was measured on (the first of its shape in the model that was tuned).
    public var layer: String
    public var measuredAt: String

    public init(choice: TunedChoice, ratioToBuiltIn: Double, bestAlternativeRatio: Double, candidates: Int, rounds: Int,
                layer: String, measuredAt: String) {
        self.choice = choice; self.ratioToBuiltIn = ratioToBuiltIn; self.bestAlternativeRatio = bestAlternativeRatio
        self.candidates = candidates; self.rounds = rounds; self.layer = layer; self.measuredAt = measuredAt
    }
}

public enum KernelTuner {
    /// An alternative must be at least 2% faster than the built-in choice to replace it.
    public static let adoptBelow = 0.98
    /// Rounds of alternation per layer shape, and the time each candidate's sample aims at.
    public static let rounds = 15
    static let sampleNanoseconds: UInt64 = 200_000

    /// Measures every layer shape in `layers`, one thread, on the calling thread.
    public static func measure(_ layers: [TunableLayer], isa: ISA?) throws -> [String: TuningEntry] {
        var found: [String: TuningEntry] = [:]
        for layer in layers { found[layer.key] = try measure(layer, isa: isa) }
        return found
    }

    public static func measure(_ layer: TunableLayer, isa: ISA?) throws -> TuningEntry {
        // Fusion on, so that a chain's trial forms its chain (a one-layer trial has none to form).
        let plans = try layer.candidates.map { choice in
            try Planner.plan(layer.trial, options: PlanOptions(isa: isa, threads: 1, fusion: .auto, l2Bytes: layer.l2Bytes,
                                                               tuning: TuningTable([layer.key: choice])))
        }
        for plan in plans { plan.setRandomInput(seed: 1) }
        let runs = plans.map { plan in { for step in plan.steps { step.run(0, 1) } } }
        // Repetitions per sample: enough that one sample of the built-in choice takes ~0.2 ms.
        runs[0]()
        let t0 = MonotonicClock.nanoseconds()
        runs[0]()
        let once = max(1, MonotonicClock.nanoseconds() - t0)
        let reps = Int(max(1, min(1000, sampleNanoseconds / once)))
        for run in runs { for _ in 0..<reps { run() } }
        var ratios = [[Double]](repeating: [], count: runs.count)
        for round in 0..<rounds {
            var times = [Double](repeating: 0, count: runs.count)
            // Rotate the order each round so that no candidate always follows the same one.
            for j in 0..<runs.count {
                let c = (j + round) % runs.count
                let start = MonotonicClock.nanoseconds()
                for _ in 0..<reps { runs[c]() }
                times[c] = Double(MonotonicClock.nanoseconds() - start)
            }
            for c in runs.indices { ratios[c].append(times[c] / max(1, times[0])) }
        }
        let medians = ratios.map(median)
        var best = 0
        for c in 1..<medians.count where medians[c] < medians[best] { best = c }
        let bestAlternative = medians.dropFirst().min() ?? 1
        let adopted = best != 0 && medians[best] < adoptBelow ? best : 0
        return TuningEntry(choice: layer.candidates[adopted], ratioToBuiltIn: medians[adopted],
                           bestAlternativeRatio: bestAlternative, candidates: runs.count, rounds: rounds,
                           layer: layer.layerName, measuredAt: ISO8601DateFormatter().string(from: Date()))
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 1 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
