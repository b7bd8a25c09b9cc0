// Compares two results files point by point (matched by their parameters and board): the
// change of the median latency, a Mann-Whitney U test on the raw samples, and a verdict.
// A point regresses when the candidate is slower by more than the threshold AND the test
// says the difference is significant — so noise between two runs of the same point passes
// and a real slowdown fails.

public struct PointComparison: Codable, Sendable {
    public var id: String
    public var label: String
    public var board: String?
    public var baselineMedianMs: Double
    public var candidateMedianMs: Double
    /// (candidate − baseline) / baseline, percent.
    public var changePercent: Double
    public var pValue: Double
    public var significant: Bool
    /// faster, slower, same
    public var verdict: String
    public var regression: Bool
}

public struct ComparisonReport: Codable, Sendable {
    public var points: [PointComparison]
    public var onlyInBaseline: [String]
    public var onlyInCandidate: [String]
    public var failAbovePercent: Double?
    public var significanceLevel: Double

    public var regressions: [PointComparison] { points.filter(\.regression) }
}

public enum Comparison {
    public static func compare(baseline: [PointRecord], candidate: [PointRecord], failAbovePercent: Double?,
                               significanceLevel: Double = 0.05) -> ComparisonReport {
        func key(_ p: PointRecord) -> String { p.id + (p.board.map { " board=\($0)" } ?? "") }
        // The last record of a point wins (a file may hold a point more than once after merges).
        var base: [String: PointRecord] = [:]
        for p in baseline { base[key(p)] = p }
        var cand: [String: PointRecord] = [:]
        var order: [String] = []
        for p in candidate {
            if cand[key(p)] == nil { order.append(key(p)) }
            cand[key(p)] = p
        }
        var rows: [PointComparison] = []
        for k in order {
            guard let c = cand[k], let b = base[k] else { continue }
            let change = (c.latencyMs.median - b.latencyMs.median) / b.latencyMs.median * 100
            let test = MannWhitneyU(b.samplesMs, c.samplesMs)
            let significant = test.pValue < significanceLevel
            let verdict = !significant ? "same" : (change > 0 ? "slower" : "faster")
            let regression = significant && change > 0 && change > (failAbovePercent ?? .infinity)
            rows.append(PointComparison(id: c.id, label: c.point.label, board: c.board, baselineMedianMs: b.latencyMs.median,
                                        candidateMedianMs: c.latencyMs.median, changePercent: change, pValue: test.pValue,
                                        significant: significant, verdict: verdict, regression: regression))
        }
        return ComparisonReport(points: rows, onlyInBaseline: base.keys.filter { cand[$0] == nil }.sorted(),
                                onlyInCandidate: cand.keys.filter { base[$0] == nil }.sorted(),
                                failAbovePercent: failAbovePercent, significanceLevel: significanceLevel)
    }
}
