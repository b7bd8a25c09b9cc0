// A comparison group measured paired: a baseline point and candidate points (each differing
// from the baseline along sweep axes), all planned once and kept resident in this process, on
// one pinned core, alternated by InterleavedMeasurement. With `withAA`, an independently
// planned copy of the baseline joins the group: its ratio to the baseline is this machine's
// resolution measured in the same run (A/A), and no candidate is called different when its
// effect is below it.
import Foundation
import SandglassEngine
import SandglassProbes

public struct PairedCandidate: Codable, Sendable {
    /// The axes changed from the baseline, as given ("alpha": "1/6").
    public var overrides: [String: String]
    public var point: SweepPoint
    public var label: String
    public var pairs: Int
    public var ratio: MedianCI
    public var differenceMs: MedianCI
    public var lag1Autocorrelation: Double?
    /// Pooled over the cycles: absolute figures, secondary to the paired ratio.
    public var latencyMs: LatencyStatistics
    /// Block mode: the first run after each switch.
    public var switchCostMs: LatencyStatistics?
    /// faster, slower, or not distinguishable at this machine's resolution.
    public var verdict: String
    public var warnings: [String]
}

/// The A/A pair: the bias (ratio median − 1) and CI half-width this machine achieved.
public struct PairedResolution: Codable, Sendable {
    public var pairs: Int
    public var ratio: MedianCI
    public var differenceMs: MedianCI
    public var halfWidthPercent: Double
    public var biasPercent: Double
    public var lag1Autocorrelation: Double?

    public init(_ c: PairedComparison) {
        pairs = c.pairs
        ratio = c.ratio
        differenceMs = c.differenceMs
        halfWidthPercent = c.halfWidth * 100
        biasPercent = (c.ratio.median - 1) * 100
        lag1Autocorrelation = c.lag1Autocorrelation
    }

    /// The smallest relative effect this run can call real: the A/A CI's far edge from 1.
    public var limitPercent: Double { max(abs(ratio.ciLow - 1), abs(ratio.ciHigh - 1)) * 100 }
}

public struct PairedGroupReport: Codable, Sendable {
    public struct Baseline: Codable, Sendable {
        public var point: SweepPoint
        public var label: String
        public var latencyMs: LatencyStatistics
        public var switchCostMs: LatencyStatistics?
    }
    public var baseline: Baseline
    public var candidates: [PairedCandidate]
    public var resolution: PairedResolution?
    /// The kernels checked against their references before measuring (set by the commands).
    public var selftest: SelfTestOutcome?
    public var interleave: InterleaveMode
    public var cacheState: String
    public var cycles: Int
    public var seconds: Double
    public var stopReason: String
    public var targetPercent: Double
    /// The CPU the measuring thread was bound to (nil when binding failed).
    public var cpu: Int?
    public var cpuModel: String
    public var warnings: [String]
}

public enum PairedGroup {
    /// Fewest pairs whose median has a distribution-free 95% CI; below it the "CI" is merely
    /// the range of the ratios, and no verdict is given.
    public static let minimumPairsForVerdict = 6

    /// Verdict of one candidate: real only when its CI excludes 1 and its effect exceeds the
    /// machine's resolution measured in the same run.
    public static func verdict(_ ratio: MedianCI, pairs: Int, resolution: PairedResolution?) -> String {
        if pairs < minimumPairsForVerdict {
            return "too few pairs for a verdict (\(pairs) of \(minimumPairsForVerdict) needed)"
        }
        let effect = abs(ratio.median - 1) * 100
        let limit = resolution?.limitPercent ?? 0
        if ratio.contains(1) || effect <= limit {
            let r = resolution.map { String(format: " (±%.2f%%)", $0.limitPercent) } ?? ""
            return "not distinguishable at this machine's resolution" + r
        }
        return ratio.median < 1 ? "faster" : "slower"
    }

    public static func run(baseline: SweepPoint, candidates: [(overrides: [String: String], point: SweepPoint)],
                           withAA: Bool, listAA: Bool = false, settings: InterleavedMeasurement,
                           weightSeed: UInt64 = 0) throws -> PairedGroupReport {
        // Every model planned once, then all resident for the whole measurement.
        var points = [baseline]
        if withAA { points.append(baseline) }
        points += candidates.map(\.point)
        var sessions: [PointSession] = []
        for p in points { sessions.append(try PointSession(p, seed: weightSeed)) }
        return measure(sessions, overrides: candidates.map(\.overrides), withAA: withAA, listAA: listAA, settings: settings).report
    }

    /// Measures planned sessions: the baseline first, then its A/A copy when `withAA`, then one
    /// candidate per entry of `overrides`. Returns the report and the raw interleaved result.
    /// `resolution`: the A/A result the verdicts use when the group has no A/A copy of its own
    /// (a sweep measures one at its start).
    public static func measure(_ sessions: [PointSession], overrides: [[String: String]], withAA: Bool, listAA: Bool = false,
                               settings: InterleavedMeasurement, resolution known: PairedResolution? = nil) -> (report: PairedGroupReport, result: InterleavedMeasurement.Result) {
        let baseline = sessions[0].point
        let candidates = zip(overrides, sessions.dropFirst(withAA ? 2 : 1)).map { (overrides: $0.0, point: $0.1.point) }
        var warnings: [String] = []
        // Unpinned points: keep the thread on the CPU it runs on now, so every model of the
        // group runs on the same core.
        if baseline.pin == .none && baseline.threads == 1 {
            do { try ThreadPinning.bindCurrentThread(to: ThreadPinning.currentCPU) } catch {
                warnings.append("could not bind the measuring thread to one CPU: \(error)")
            }
        }
        let cpu = ThreadPinning.currentCPU
        let result = settings.measure(sessions.map(\.executor))
        func stats(_ i: Int) -> LatencyStatistics { LatencyStatistics(samples: result.samplesMs[i]) }
        func switchStats(_ i: Int) -> LatencyStatistics? {
            result.switchCostMs[i].isEmpty ? nil : LatencyStatistics(samples: result.switchCostMs[i])
        }
        let first = withAA ? 2 : 1
        let resolution: PairedResolution? = withAA ? PairedResolution(result.comparisons[0]) : known
        var out: [PairedCandidate] = []
        if listAA, withAA {
            // `resolution` lists its A/A copy as the one candidate, in the shape `ab` uses.
            let c = result.comparisons[0]
            out.append(PairedCandidate(overrides: [:], point: baseline, label: "A/A copy of " + baseline.label, pairs: c.pairs,
                                       ratio: c.ratio, differenceMs: c.differenceMs, lag1Autocorrelation: c.lag1Autocorrelation,
                                       latencyMs: stats(1), switchCostMs: switchStats(1),
                                       verdict: verdict(c.ratio, pairs: c.pairs, resolution: nil), warnings: c.warnings))
        }
        for (k, c) in candidates.enumerated() {
            let index = first + k
            let comparison = result.comparisons[index - 1]
            out.append(PairedCandidate(overrides: c.overrides, point: c.point, label: c.point.label, pairs: comparison.pairs,
                                       ratio: comparison.ratio, differenceMs: comparison.differenceMs,
                                       lag1Autocorrelation: comparison.lag1Autocorrelation, latencyMs: stats(index),
                                       switchCostMs: switchStats(index),
                                       verdict: verdict(comparison.ratio, pairs: comparison.pairs, resolution: resolution), warnings: comparison.warnings))
        }
        if result.stopReason == "time-cap" && settings.target > 0 {
            warnings.append(String(format: "stopped at the time cap (%.0f s) before every CI reached ±%.2f%%", settings.maxSeconds, settings.target * 100))
        }
        if result.stopReason == "interrupted" { warnings.append("interrupted: the figures cover the cycles measured so far") }
        let base = PairedGroupReport.Baseline(point: baseline, label: baseline.label, latencyMs: stats(0), switchCostMs: switchStats(0))
        let report = PairedGroupReport(baseline: base, candidates: out, resolution: resolution, interleave: settings.mode,
                                 cacheState: settings.mode.cacheState, cycles: result.cycles, seconds: result.seconds,
                                 stopReason: result.stopReason, targetPercent: settings.target * 100, cpu: cpu >= 0 ? cpu : nil,
                                 cpuModel: Environment.cpuModel(), warnings: warnings)
        return (report, result)
    }
}
