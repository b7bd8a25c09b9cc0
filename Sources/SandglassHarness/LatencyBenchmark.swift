// The basic measurement loop of `sandglass bench`: warm-up runs, then timed runs of the
// uninstrumented executor, one sample per inference.
import SandglassEngine
import SandglassProbes

public struct LatencyBenchmark {
    public var warmup: Int
    public var iterations: Int

    public init(warmup: Int, iterations: Int) {
        self.warmup = warmup; self.iterations = iterations
    }

    /// Per-inference latencies in milliseconds.
    public func measure(_ executor: Executor) -> (warmup: [Double], samples: [Double]) {
        var warm: [Double] = []
        warm.reserveCapacity(warmup)
        for _ in 0..<warmup { warm.append(time(executor)) }
        var samples: [Double] = []
        samples.reserveCapacity(iterations)
        for _ in 0..<iterations { samples.append(time(executor)) }
        return (warm, samples)
    }

    @inline(__always)
    func time(_ executor: Executor) -> Double {
        let t0 = MonotonicClock.nanoseconds()
        executor.run()
        let t1 = MonotonicClock.nanoseconds()
        return Double(t1 - t0) / 1e6
    }
}
