// The simplest probe: wall time of every plan step, accumulated over runs.
import SandglassEngine

public final class StepTimer: ExecutionProbe {
    public private(set) var totals: [UInt64]
    public private(set) var runs = 0
    private var start: UInt64 = 0

    public init(steps: Int) { totals = [UInt64](repeating: 0, count: steps) }

    public func willRunStep(_ index: Int) {
        if index == 0 { runs += 1 }
        start = MonotonicClock.nanoseconds()
    }

    public func didRunStep(_ index: Int) {
        totals[index] &+= MonotonicClock.nanoseconds() &- start
    }

    /// Mean milliseconds per run of each step.
    public var meanMilliseconds: [Double] { totals.map { Double($0) / 1e6 / Double(max(runs, 1)) } }
}
