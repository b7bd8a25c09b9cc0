// Summary statistics of latency samples (milliseconds). Percentiles interpolate linearly
// between order statistics (NumPy's default), so they can be recomputed from raw samples.

public struct LatencyStatistics: Codable, Sendable, Equatable {
    public var count: Int
    public var median: Double
    public var p10: Double
    public var p90: Double
    public var min: Double
    public var max: Double
    public var mean: Double
    public var stddev: Double

    public init(samples: [Double]) {
        let s = samples.sorted()
        count = s.count
        guard !s.isEmpty else {
            median = .nan; p10 = .nan; p90 = .nan; min = .nan; max = .nan; mean = .nan; stddev = .nan
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
}
