// Latency of one point relative to another, paired. Best: both measured in the same comparison
// group, alternated inference by inference: the candidate's own `paired` record against its
// baseline, or, for any other two members of a group, their cycle-aligned samples (sample i of
// each came from the same cycle). Otherwise, for sweeps in rounds: every round visits every
// point once in a shuffled order, so two points' blocks of the same round ran minutes apart at
// most, and the ratio of their block medians cancels the host's slow drift. Either way the figure
// is the median of the per-pair ratios with the distribution-free 95% CI of that median; the
// pooled CI of raw samples (independent samples assumed) would see none of the drift.
import SandglassHarness

public struct PairedRatio: Sendable, Equatable {
    public enum Method: String, Sendable {
        /// Alternated inference by inference (or in blocks) within a group.
        case interleaved
        /// Block medians of the same round.
        case rounds
    }

    /// Median over pairs of (point / reference).
    public var median: Double
    public var ciLow: Double
    public var ciHigh: Double
    /// Pairs: cycles when interleaved, rounds otherwise.
    public var pairs: Int
    public var method: Method
    /// Median of (point − reference) in ms, when interleaved.
    public var differenceMs: MedianCI?
    /// The smallest effect the run that measured it could call real (its A/A resolution, %).
    public var resolutionLimitPercent: Double?

    public init(median: Double, ciLow: Double, ciHigh: Double, pairs: Int, method: Method, differenceMs: MedianCI? = nil,
                resolutionLimitPercent: Double? = nil) {
        self.median = median; self.ciLow = ciLow; self.ciHigh = ciHigh; self.pairs = pairs; self.method = method
        self.differenceMs = differenceMs; self.resolutionLimitPercent = resolutionLimitPercent
    }

    public var rounds: Int { pairs }

    /// A change: enough pairs for a CI (below that the "CI" is the range of the ratios), the CI
    /// excludes 1 and the effect exceeds the run's A/A resolution.
    public var isChange: Bool {
        pairs >= PairedGroup.minimumPairsForVerdict && (ciHigh < 1 || ciLow > 1)
            && abs(median - 1) * 100 > (resolutionLimitPercent ?? 0)
    }

    /// "over 412 interleaved pairs" / "over 5 rounds".
    public var basis: String { method == .interleaved ? "over \(pairs) interleaved pairs" : "over \(pairs) rounds" }
}

public enum PairedRounds {
    /// Fewer common rounds than this give no paired figure.
    public static let minimumRounds = 3

    /// The first pairing among the records of the two points (the chosen ones first, then earlier
    /// records they superseded): when the files were merged, the chosen records may come from
    /// different sweeps while another sweep measured both paired.
    public static func ratio(any point: ReportPoint, to reference: ReportPoint, in c: ResultsCollection) -> PairedRatio? {
        for p in c.withSuperseded([point]) {
            for r in c.withSuperseded([reference]) {
                if let found = ratio(p, to: r, in: c) { return found }
            }
        }
        return nil
    }

    /// `point` against `reference`, when both come from the same results file (the same sweep)
    /// and were measured in the same group, or have block records in at least `minimumRounds`
    /// common rounds.
    public static func ratio(_ point: ReportPoint, to reference: ReportPoint, in c: ResultsCollection) -> PairedRatio? {
        guard point.sourceIndex == reference.sourceIndex else { return nil }
        let contents = c.sources[point.sourceIndex].contents
        let limit = contents.headers.last(where: { $0.board == point.record.board })?.resolution?.limitPercent
        // A candidate's own paired record is self-contained (measured against its baseline).
        if let p = point.record.paired, p.baseline == reference.record.id {
            return PairedRatio(median: p.ratio.median, ciLow: p.ratio.ciLow, ciHigh: p.ratio.ciHigh, pairs: p.pairs,
                               method: .interleaved, differenceMs: p.differenceMs, resolutionLimitPercent: limit)
        }
        if let g = point.record.group, g == reference.record.group,
           point.record.samplesMs.count == reference.record.samplesMs.count {
            let pc = PairedComparison(baseline: reference.record.samplesMs, candidate: point.record.samplesMs)
            guard pc.pairs >= minimumRounds else { return nil }
            return PairedRatio(median: pc.ratio.median, ciLow: pc.ratio.ciLow, ciHigh: pc.ratio.ciHigh, pairs: pc.pairs,
                               method: .interleaved, differenceMs: pc.differenceMs, resolutionLimitPercent: limit)
        }
        func medians(_ p: ReportPoint) -> [Int: Double] {
            var byRound: [Int: Double] = [:]
            for b in contents.blocks where b.id == p.record.id && b.board == p.record.board && !b.samplesMs.isEmpty {
                byRound[b.round] = LatencyStatistics(samples: b.samplesMs).median
            }
            return byRound
        }
        let mine = medians(point), theirs = medians(reference)
        let ratios = mine.keys.compactMap { round -> Double? in
            guard let a = mine[round], let b = theirs[round], b > 0 else { return nil }
            return a / b
        }
        guard ratios.count >= minimumRounds else { return nil }
        let stats = LatencyStatistics(samples: ratios)
        return PairedRatio(median: stats.median, ciLow: stats.ciLow, ciHigh: stats.ciHigh, pairs: ratios.count, method: .rounds,
                           resolutionLimitPercent: limit)
    }
}
