// Statistics of paired measurements: per cycle, a candidate's latency relative to the baseline's
// measured next to it (ratio) and their difference. The host drifts by several percent over
// seconds, so samples from different moments are not independent and pooled tests on them are
// far too confident; a pair taken within the same cycle shares the drift, and its ratio cancels it.
// The median of the pairs gets the distribution-free 95% CI of LatencyStatistics.

/// A median and its 95% confidence interval.
public struct MedianCI: Codable, Sendable, Equatable {
    public var median: Double
    public var ciLow: Double
    public var ciHigh: Double

    public init(median: Double, ciLow: Double, ciHigh: Double) {
        self.median = median; self.ciLow = ciLow; self.ciHigh = ciHigh
    }

    public init(of samples: [Double]) {
        let s = LatencyStatistics(samples: samples)
        self.init(median: s.median, ciLow: s.ciLow, ciHigh: s.ciHigh)
    }

    /// Half the CI's width relative to `reference` (for ratios: relative to 1, i.e. ±x as a fraction).
    public func halfWidth(relativeTo reference: Double) -> Double {
        guard ciHigh.isFinite, ciLow.isFinite, reference != 0 else { return .infinity }
        return (ciHigh - ciLow) / 2 / abs(reference)
    }

    public func contains(_ x: Double) -> Bool { ciLow <= x && x <= ciHigh }
}

/// A candidate against its baseline, from pairs measured in the same cycles.
public struct PairedComparison: Codable, Sendable, Equatable {
    public var pairs: Int
    /// candidate / baseline latency.
    public var ratio: MedianCI
    /// candidate − baseline, in milliseconds.
    public var differenceMs: MedianCI
    /// Lag-1 autocorrelation of the ratios in measurement order: near 0 when the pairing removed
    /// the drift; high means neighbouring pairs share something the pairing did not cancel.
    public var lag1Autocorrelation: Double?

    /// Autocorrelation above this earns a warning (the CI assumes roughly independent pairs).
    public static let autocorrelationWarning = 0.3

    public init(baseline: [Double], candidate: [Double]) {
        let n = min(baseline.count, candidate.count)
        var ratios: [Double] = [], differences: [Double] = []
        ratios.reserveCapacity(n); differences.reserveCapacity(n)
        for i in 0..<n where baseline[i] > 0 {
            ratios.append(candidate[i] / baseline[i])
            differences.append(candidate[i] - baseline[i])
        }
        pairs = ratios.count
        ratio = MedianCI(of: ratios)
        differenceMs = MedianCI(of: differences)
        lag1Autocorrelation = PairedStatistics.lag1Autocorrelation(ratios)
    }

    /// ± half-width of the ratio's CI, as a fraction (0.005 = ±0.5%).
    public var halfWidth: Double { ratio.halfWidth(relativeTo: 1) }

    public var warnings: [String] {
        guard let r = lag1Autocorrelation, r > PairedComparison.autocorrelationWarning else { return [] }
        return ["the pairs are autocorrelated (lag-1 r = \(Int((r * 100).rounded())) %): drift slower than a cycle was not cancelled, so the CI is optimistic"]
    }
}

public enum PairedStatistics {
    /// Lag-1 autocorrelation of a series (nil for fewer than 3 values or no variance).
    public static func lag1Autocorrelation(_ x: [Double]) -> Double? {
        guard x.count >= 3 else { return nil }
        let mean = x.reduce(0, +) / Double(x.count)
        var numerator = 0.0, denominator = 0.0
        for i in x.indices {
            let d = x[i] - mean
            denominator += d * d
            if i > 0 { numerator += d * (x[i - 1] - mean) }
        }
        return denominator > 0 ? numerator / denominator : nil
    }
}
