// Summary statistics of latency samples (milliseconds). Percentiles interpolate linearly
// between order statistics (NumPy's default), so they can be recomputed from raw samples.
// The 95% confidence interval of the median is distribution-free: the order statistics whose
// ranks bound the median under the binomial(n, 1/2) law (normal approximation for the ranks).

public struct LatencyStatistics: Codable, Sendable, Equatable {
    public var count: Int
    public var median: Double
    public var p10: Double
    public var p90: Double
    public var min: Double
    public var max: Double
    public var mean: Double
    public var stddev: Double
    /// 95% confidence interval of the median.
    public var ciLow: Double
    public var ciHigh: Double

    public init(samples: [Double]) {
        let s = samples.sorted()
        count = s.count
        guard !s.isEmpty else {
            median = .nan; p10 = .nan; p90 = .nan; min = .nan; max = .nan; mean = .nan; stddev = .nan
            ciLow = .nan; ciHigh = .nan
            return
        }
        median = LatencyStatistics.percentile(sorted: s, 50)
        p10 = LatencyStatistics.percentile(sorted: s, 10)
        p90 = LatencyStatistics.percentile(sorted: s, 90)
        min = s.first!
        max = s.last!
        mean = s.reduce(0, +) / Double(s.count)
        let m = mean
        stddev = s.count > 1 ? (s.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(s.count - 1)).squareRoot() : 0
        (ciLow, ciHigh) = LatencyStatistics.medianConfidenceInterval(sorted: s)
    }

    /// Half the CI's width relative to the median (0.01 = ±1%); infinite for fewer than 6 samples.
    public var ciRelativeHalfWidth: Double {
        guard count >= 6, median > 0 else { return .infinity }
        return (ciHigh - ciLow) / 2 / median
    }

    /// The p-th percentile (0...100) of sorted samples, linear interpolation.
    public static func percentile(sorted s: [Double], _ p: Double) -> Double {
        guard !s.isEmpty else { return .nan }
        let position = p / 100 * Double(s.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, s.count - 1)
        let fraction = position - Double(lower)
        return s[lower] + (s[upper] - s[lower]) * fraction
    }

    /// Distribution-free 95% CI of the median: order statistics at ranks n/2 ∓ 1.96·√n/2
    /// (1-based, rounded outward). With fewer than 6 samples it is the whole range.
    public static func medianConfidenceInterval(sorted s: [Double]) -> (Double, Double) {
        let n = s.count
        guard n >= 6 else { return (s.first ?? .nan, s.last ?? .nan) }
        let half = 1.959964 * Double(n).squareRoot() / 2
        let lower = Swift.max(1, Int((Double(n) / 2 - half).rounded(.down)))
        let upper = Swift.min(n, Int((Double(n) / 2 + 1 + half).rounded(.up)))
        return (s[lower - 1], s[upper - 1])
    }
}

/// Outliers by Tukey's fences (1.5 × IQR beyond the quartiles): counted and reported, never removed.
public struct OutlierCounts: Codable, Sendable, Equatable {
    public var low: Int
    public var high: Int
    public var method: String

    public init(samples: [Double]) {
        method = "Tukey 1.5 IQR"
        let s = samples.sorted()
        guard s.count >= 4 else { low = 0; high = 0; return }
        let q1 = LatencyStatistics.percentile(sorted: s, 25)
        let q3 = LatencyStatistics.percentile(sorted: s, 75)
        let iqr = q3 - q1
        low = s.filter { $0 < q1 - 1.5 * iqr }.count
        high = s.filter { $0 > q3 + 1.5 * iqr }.count
    }
}
