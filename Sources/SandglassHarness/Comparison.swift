// Compares two results files point by point (matched by their parameters and board). Two runs
// are not paired: their samples were taken minutes or days apart on a host that drifts by
// several percent over seconds (and by tens of percent between runs under load), so a test on
// raw samples, which assumes independent samples, calls drift significant. Here each run's
// samples are cut into consecutive segments (up to 5, in measurement order), a Mann-Whitney U
// test compares the segment medians, and a change counts only when it also exceeds the
// comparison's resolution: the larger of the drift seen inside either run (the range of its
// segment medians), either run's A/A resolution (recorded in its header), and a floor for
// unpaired runs (--min-effect, default 10%). Smaller effects are "not distinguishable"; measure
// them paired (`sandglass ab`, or a sweep with comparison groups).

public struct PointComparison: Codable, Sendable {
    public var id: String
    public var label: String
    public var board: String?
    public var baselineMedianMs: Double
    public var candidateMedianMs: Double
    /// (candidate − baseline) / baseline, percent.
    public var changePercent: Double
    /// Mann-Whitney U on the segment medians (nil with fewer than 2 segments a side).
    public var pValue: Double?
    public var segments: Int
    /// The smallest change this comparison can call real, percent, and what set it.
    public var resolutionPercent: Double
    public var resolutionSource: String
    public var significant: Bool
    /// faster, slower, or not distinguishable at this resolution (±x%)
    public var verdict: String
    public var regression: Bool
}

public struct ComparisonReport: Codable, Sendable {
    public var points: [PointComparison]
    public var onlyInBaseline: [String]
    public var onlyInCandidate: [String]
    public var failAbovePercent: Double?
    public var significanceLevel: Double
    public var minEffectPercent: Double

    public var regressions: [PointComparison] { points.filter(\.regression) }
}

public enum Comparison {
    /// Consecutive segments of a run's samples, and their medians.
    public static func segmentMedians(_ samples: [Double], maxSegments: Int = 5, minimumPerSegment: Int = 5) -> [Double] {
        let k = min(maxSegments, samples.count / minimumPerSegment)
        guard k >= 1 else { return samples.isEmpty ? [] : [LatencyStatistics(samples: samples).median] }
        return (0..<k).map { i in
            let lo = i * samples.count / k, hi = (i + 1) * samples.count / k
            return LatencyStatistics(samples: Array(samples[lo..<hi])).median
        }
    }

    /// The range of the segment medians relative to their median, percent (0 for one segment).
    public static func driftPercent(_ medians: [Double]) -> Double {
        guard medians.count >= 2, let lo = medians.min(), let hi = medians.max() else { return 0 }
        let mid = LatencyStatistics(samples: medians).median
        return mid > 0 ? (hi - lo) / mid * 100 : 0
    }

    /// `resolutions`: the A/A limit (percent) each file's header recorded, when it has one.
    public static func compare(baseline: [PointRecord], candidate: [PointRecord], failAbovePercent: Double?,
                               significanceLevel: Double = 0.05, minEffectPercent: Double = 10,
                               resolutions: (baseline: Double?, candidate: Double?) = (nil, nil)) -> ComparisonReport {
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
            let sb = segmentMedians(b.samplesMs), sc = segmentMedians(c.samplesMs)
            var limits: [(Double, String)] = [(minEffectPercent, "floor for unpaired runs")]
            limits.append((driftPercent(sb), "drift within the baseline run"))
            limits.append((driftPercent(sc), "drift within the candidate run"))
            if let r = resolutions.baseline { limits.append((r, "baseline run's A/A resolution")) }
            if let r = resolutions.candidate { limits.append((r, "candidate run's A/A resolution")) }
            let limit = limits.max { $0.0 < $1.0 }!
            let p: Double? = sb.count >= 2 && sc.count >= 2 ? MannWhitneyU(sb, sc).pValue : nil
            // With too few samples for segments, the medians' CIs must at least be disjoint.
            let separated = p.map { $0 < significanceLevel }
                ?? (c.latencyMs.ciLow > b.latencyMs.ciHigh || c.latencyMs.ciHigh < b.latencyMs.ciLow)
            let significant = separated && abs(change) > limit.0
            let verdict = significant ? (change > 0 ? "slower" : "faster")
                : "not distinguishable at this resolution (±\(SweepProgress.fixed(limit.0, 1))%: \(limit.1))"
            let regression = significant && change > 0 && change > (failAbovePercent ?? .infinity)
            rows.append(PointComparison(id: c.id, label: c.point.label, board: c.board, baselineMedianMs: b.latencyMs.median,
                                        candidateMedianMs: c.latencyMs.median, changePercent: change, pValue: p,
                                        segments: min(sb.count, sc.count), resolutionPercent: limit.0, resolutionSource: limit.1,
                                        significant: significant, verdict: verdict, regression: regression))
        }
        return ComparisonReport(points: rows, onlyInBaseline: base.keys.filter { cand[$0] == nil }.sorted(),
                                onlyInCandidate: cand.keys.filter { base[$0] == nil }.sorted(),
                                failAbovePercent: failAbovePercent, significanceLevel: significanceLevel,
                                minEffectPercent: minEffectPercent)
    }
}
