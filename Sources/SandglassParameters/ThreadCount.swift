// The one place that bounds a thread count (CLI flags, sweep axes and the planner check here).

public enum ThreadCount {
    public static let range = 1...256

    public static func check(_ threads: Int) throws {
        guard range.contains(threads) else {
            throw ParameterError("threads must be between \(range.lowerBound) and \(range.upperBound) (got \(threads))")
        }
    }

    public static func parse(_ text: String) throws -> Int {
        guard let t = Int(text.trimmingSpaces) else {
            throw ParameterError("threads '\(text)' must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        try check(t)
        return t
    }
}
