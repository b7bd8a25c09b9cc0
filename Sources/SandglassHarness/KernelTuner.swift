// Per-machine tuning, the measuring half: each tunable layer shape (KernelTuning.swift) is
// planned alone once per candidate, and the candidates are timed in alternation, round by
// round, on the calling thread (the point's pinned core), so that drift and a noisy neighbour
// fall on all of them alike. A candidate replaces the built-in choice only when the median of
// its per-round ratios to the built-in one is below `adoptBelow`: a tie keeps the built-in rule.
// Depth-first chains are decided inside the network instead (`measureChains`).
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
    /// "network" for a chain timed inside the whole network (`KernelTuner.measureChains`); nil
    /// for a layer timed alone, and for chains in caches written before chains were timed in
    /// the network (those are measured again).
    public var trial: String?
    /// The binary that measured it (`BinaryIdentity`): the choice ranks that build's kernels, so
    /// an entry of another build (or of a cache written before entries named theirs) is measured
    /// again.
    public var build: String?

    public init(choice: TunedChoice, ratioToBuiltIn: Double, bestAlternativeRatio: Double, candidates: Int, rounds: Int,
                layer: String, measuredAt: String, trial: String? = nil, build: String? = BinaryIdentity.current) {
        self.choice = choice; self.ratioToBuiltIn = ratioToBuiltIn; self.bestAlternativeRatio = bestAlternativeRatio
        self.candidates = candidates; self.rounds = rounds; self.layer = layer; self.measuredAt = measuredAt
        self.trial = trial; self.build = build
    }
}

public enum KernelTuner {
    /// An alternative must be at least 2% faster than the built-in choice to replace it.
    public static let adoptBelow = 0.98
    /// Rounds of alternation per layer shape, and the time each candidate's sample aims at.
    public static let rounds = 15
    static let sampleNanoseconds: UInt64 = 200_000

    /// Rounds of the in-network chain comparison: each times every step once, so more of them.
    public static let networkRounds = 31

    /// Measures every layer shape in `layers` that is timed alone, one thread, on the calling thread.
    public static func measure(_ layers: [TunableLayer], isa: ISA?) throws -> [String: TuningEntry] {
        var found: [String: TuningEntry] = [:]
        for layer in layers {
            guard case let .alone(trial) = layer.trial else { continue }
            found[layer.key] = try measure(layer, trial: trial, isa: isa)
        }
        return found
    }

    static func measure(_ layer: TunableLayer, trial: Graph, isa: ISA?) throws -> TuningEntry {
        let plans = try layer.candidates.map { choice in
            try Planner.plan(trial, options: PlanOptions(isa: isa, threads: 1, fusion: .none, l2Bytes: layer.l2Bytes,
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

    /// Decides every chain of `graph` inside the network: the plan with all its chains (`options`,
    /// fusion on, with the layer choices of `tuning`, at its thread count: the calling thread and
    /// pool threads on `cpus` where given), the plan with none (fusion off), and one plan per
    /// split threshold among the chains' candidates (each chain that has it split there) run in
    /// rotation, one inference each per round, every step timed. Per round, a candidate's ratio
    /// is the sum of the chain's layers' steps in its plan over the chain's step in the first;
    /// the lowest median below `adoptBelow` is adopted. Each chain is judged with its neighbours
    /// as that plan has them, so a mixed plan's neighbours can differ slightly: the effects
    /// measured are per step.
    public static func measureChains(_ graph: Graph, chains: [TunableLayer], options: PlanOptions,
                                     tuning: TuningTable, cpus: [Int]? = nil) throws -> [String: TuningEntry] {
        guard !chains.isEmpty else { return [:] }
        var fused = options
        fused.fusion = .auto; fused.tuning = tuning
        var layered = fused
        layered.fusion = .none
        // The alternatives, each with the plan that runs it: layer by layer, then every split threshold.
        var alternatives: [(choice: (TunableLayer) -> TunedChoice?, options: PlanOptions)] = [
            ({ _ in TunedChoice(chained: false) }, layered)]
        let thresholds = Set(chains.flatMap { $0.candidates.compactMap(\.splitBelowBytes) }).sorted()
        for threshold in thresholds {
            var split = fused
            for chain in chains where chain.candidates.contains(TunedChoice(splitBelowBytes: threshold)) {
                split.tuning.choices[chain.key] = TunedChoice(splitBelowBytes: threshold)
            }
            alternatives.append(({ $0.candidates.contains(TunedChoice(splitBelowBytes: threshold)) ? TunedChoice(splitBelowBytes: threshold) : nil },
                                 split))
        }
        let plans = [try Planner.plan(graph, options: fused)] + (try alternatives.map { try Planner.plan(graph, options: $0.options) })
        for plan in plans { plan.setRandomInput(seed: 1) }
        let isa = plans[0].isa
        // Each chain step of the first plan and, per alternative plan, the steps that hold its
        // layers, by key: the chains of one key (s5.b1 and s5.b2 of the same shape) are timed
        // together. A step that straddles the chain's edge leaves no fair comparison (nil).
        var members: [String: [(chain: Int, steps: [[Int]?])]] = [:]
        for (i, step) in plans[0].steps.enumerated() where step.chain != nil {
            let key = KernelTuning.chainKey(graph, layers: step.layers, isa: isa, l2Bytes: options.l2Bytes, threads: options.threads)
            let inside = Set(step.layers)
            let steps = plans.dropFirst().map { plan -> [Int]? in
                let held = plan.steps.indices.filter { Set(plan.steps[$0].layers).isSubset(of: inside) }
                return Set(held.flatMap { plan.steps[$0].layers }) == inside ? held : nil
            }
            members[key, default: []].append((i, steps))
        }
        let executors = plans.map { Executor(plan: $0, pinning: cpus.flatMap { $0.count >= options.threads ? $0 : nil }) }
        let probes = plans.map { LayerProbe(steps: $0.steps.count, expectedRuns: networkRounds) }
        for _ in 0..<3 { for executor in executors { executor.run() } }
        for round in 0..<networkRounds {
            // Rotate which plan goes first, so that none always follows the same one.
            for k in plans.indices { let p = (k + round) % plans.count; executors[p].run(probe: probes[p]) }
        }
        // times[plan][step][round], ns.
        let times = probes.map { probe in (0..<probe.stepCount).map { probe.durations(of: $0).map { Double($0) } } }
        let stamp = ISO8601DateFormatter().string(from: Date())
        var found: [String: TuningEntry] = [:]
        for layer in chains {
            // Per alternative this chain has and that is comparable step for step: its median ratio.
            var medians: [(choice: TunedChoice, ratio: Double)] = []
            if let instances = members[layer.key] {
                for (a, alternative) in alternatives.enumerated() {
                    guard let choice = alternative.choice(layer), instances.allSatisfy({ $0.steps[a] != nil }) else { continue }
                    let ratios = (0..<networkRounds).map { r -> Double in
                        let chained = instances.reduce(0) { $0 + times[0][$1.chain][r] }
                        let apart = instances.reduce(0) { sum, m in m.steps[a]!.reduce(sum) { $0 + times[a + 1][$1][r] } }
                        return apart / max(1, chained)
                    }
                    medians.append((choice, median(ratios)))
                }
            }
            guard let best = medians.min(by: { $0.ratio < $1.ratio }), let instances = members[layer.key] else {
                // Not comparable step for step: the built-in choice, on record as not measured.
                found[layer.key] = TuningEntry(choice: TunedChoice(), ratioToBuiltIn: 1, bestAlternativeRatio: 1,
                                               candidates: layer.candidates.count, rounds: 0, layer: layer.layerName,
                                               measuredAt: stamp, trial: "network")
                continue
            }
            let adopt = best.ratio < adoptBelow
            found[layer.key] = TuningEntry(choice: adopt ? best.choice : TunedChoice(),
                                           ratioToBuiltIn: adopt ? best.ratio : 1, bestAlternativeRatio: best.ratio,
                                           candidates: layer.candidates.count, rounds: networkRounds,
                                           layer: instances.map { plans[0].steps[$0.chain].name }.joined(separator: ", "),
                                           measuredAt: stamp, trial: "network")
        }
        return found
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 1 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
