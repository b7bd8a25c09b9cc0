// Latency of one point relative to another, paired by round. A sweep with several rounds visits
// every point once per round in a shuffled order, so two points' blocks of the same round ran
// minutes apart at most: the ratio of their block medians cancels the shared host's slow drift,
// which the CI of pooled samples (independent samples assumed) does not see. The figure is the
// median of the per-round ratios with the distribution-free CI of that median.
import SandglassHarness

public struct PairedRatio: Sendable, Equatable {
    /// Median over rounds of (point's block median / reference's block median).
    public var median: Double
    public var ciLow: Double
    public var ciHigh: Double
    public var rounds: Int

    /// Whether the CI excludes 1: a change beyond the round-to-round variation.
    public var isChange: Bool { ciHigh < 1 || ciLow > 1 }
}

public enum PairedRounds {
    /// Fewer common rounds than this give no paired figure.
    public static let minimumRounds = 3

    /// `point` against `reference`, when both come from the same results file (the same sweep)
    /// with block records in at least `minimumRounds` common rounds.
    public static func ratio(_ point: ReportPoint, to reference: ReportPoint, in c: ResultsCollection) -> PairedRatio? {
        guard point.sourceIndex == reference.sourceIndex else { return nil }
        let blocks = c.sources[point.sourceIndex].contents.blocks
        func medians(_ p: ReportPoint) -> [Int: Double] {
            var byRound: [Int: Double] = [:]
            for b in blocks where b.id == p.record.id && b.board == p.record.board && !b.samplesMs.isEmpty {
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
        return PairedRatio(median: stats.median, ciLow: stats.ciLow, ciHigh: stats.ciHigh, rounds: ratios.count)
    }
}
