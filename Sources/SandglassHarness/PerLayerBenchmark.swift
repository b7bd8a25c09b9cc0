// Per-layer measurement with its cost known: uninstrumented and instrumented inferences
// interleaved (ABBA order, so drift and noise fall on both alike), the uninstrumented ones giving
// the end-to-end latency and the instrumented ones the per-layer figures. The overhead is the
// difference of their medians, relative to the uninstrumented median.
import SandglassEngine
import SandglassProbes

public struct PerLayerBenchmark {
    public var warmup: Int
    public var iterations: Int

    public init(warmup: Int, iterations: Int) {
        self.warmup = warmup; self.iterations = iterations
    }

    public struct Measurement {
        /// Milliseconds per warm-up inference (uninstrumented).
        public var warmup: [Double]
        /// Milliseconds per uninstrumented inference.
        public var uninstrumented: [Double]
        /// Milliseconds per instrumented inference, end to end (probe callbacks included).
        public var instrumented: [Double]

        public var endToEndMs: Double { LatencyStatistics(samples: uninstrumented).median }
        public var instrumentedMs: Double { LatencyStatistics(samples: instrumented).median }
        /// (instrumented median − uninstrumented median) / uninstrumented median, in percent.
        public var overheadPercent: Double { (instrumentedMs / endToEndMs - 1) * 100 }
    }

    public func measure(_ executor: Executor, probe: LayerProbe) -> Measurement {
        var result = Measurement(warmup: [], uninstrumented: [], instrumented: [])
        result.warmup.reserveCapacity(warmup)
        result.uninstrumented.reserveCapacity(iterations)
        result.instrumented.reserveCapacity(iterations)
        for _ in 0..<warmup { result.warmup.append(time { executor.run() }) }
        probe.start()
        for i in 0..<iterations {
            if i % 2 == 0 {
                result.uninstrumented.append(time { executor.run() })
                result.instrumented.append(time { executor.run(probe: probe) })
            } else {
                result.instrumented.append(time { executor.run(probe: probe) })
                result.uninstrumented.append(time { executor.run() })
            }
        }
        probe.stop()
        return result
    }

    @inline(__always)
    func time(_ body: () -> Void) -> Double {
        let t0 = MonotonicClock.nanoseconds()
        body()
        return Double(MonotonicClock.nanoseconds() - t0) / 1e6
    }
}
