// Per-layer measurement with its cost known: uninstrumented and instrumented inferences
// interleaved (ABBA order, so drift and noise fall on both alike), the uninstrumented ones giving
// the end-to-end latency and the instrumented ones the per-layer figures. The overhead is the
// difference of their medians, relative to the uninstrumented median, and, since each
// instrumented inference runs right beside an uninstrumented one, the median of those pairs'
// ratios with its 95% CI: a figure that can say whether the cost is really above 1%.
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
        /// The same inferences in CPU time of the benchmark thread: unlike wall time, it does
        /// not grow while other processes hold the core, so it is what a per-layer task-clock
        /// sum should match on a shared machine.
        public var uninstrumentedCPU: [Double]
        public var instrumentedCPU: [Double]

        public init(warmup: [Double], uninstrumented: [Double], instrumented: [Double], uninstrumentedCPU: [Double],
                    instrumentedCPU: [Double]) {
            self.warmup = warmup; self.uninstrumented = uninstrumented; self.instrumented = instrumented
            self.uninstrumentedCPU = uninstrumentedCPU; self.instrumentedCPU = instrumentedCPU
        }

        public var endToEndMs: Double { LatencyStatistics(samples: uninstrumented).median }
        public var instrumentedMs: Double { LatencyStatistics(samples: instrumented).median }
        /// (instrumented median − uninstrumented median) / uninstrumented median, in percent.
        public var overheadPercent: Double { (instrumentedMs / endToEndMs - 1) * 100 }
        public var endToEndCPUMs: Double { LatencyStatistics(samples: uninstrumentedCPU).median }
        public var instrumentedCPUMs: Double { LatencyStatistics(samples: instrumentedCPU).median }
        /// The overhead in thread CPU time, robust to other load on the machine.
        public var overheadCPUPercent: Double { (instrumentedCPUMs / endToEndCPUMs - 1) * 100 }
        /// Instrumented against uninstrumented, pair by pair (iteration i's two adjacent runs).
        public var pairedOverhead: PairedComparison { PairedComparison(baseline: uninstrumented, candidate: instrumented) }
    }

    public func measure(_ executor: Executor, probe: LayerProbe) -> Measurement {
        var result = Measurement(warmup: [], uninstrumented: [], instrumented: [], uninstrumentedCPU: [], instrumentedCPU: [])
        result.warmup.reserveCapacity(warmup)
        for array in [\Measurement.uninstrumented, \.instrumented, \.uninstrumentedCPU, \.instrumentedCPU] {
            result[keyPath: array].reserveCapacity(iterations)
        }
        for _ in 0..<warmup { result.warmup.append(time { executor.run() }.wall) }
        probe.start()
        func plain() {
            let t = time { executor.run() }
            result.uninstrumented.append(t.wall)
            result.uninstrumentedCPU.append(t.cpu)
        }
        func instrumented() {
            let t = time { executor.run(probe: probe) }
            result.instrumented.append(t.wall)
            result.instrumentedCPU.append(t.cpu)
        }
        for i in 0..<iterations {
            if i % 2 == 0 {
                plain(); instrumented()
            } else {
                instrumented(); plain()
            }
        }
        probe.stop()
        return result
    }

    /// Wall and thread CPU milliseconds of `body`.
    @inline(__always)
    func time(_ body: () -> Void) -> (wall: Double, cpu: Double) {
        let c0 = MonotonicClock.threadCPUNanoseconds()
        let t0 = MonotonicClock.nanoseconds()
        body()
        let t1 = MonotonicClock.nanoseconds()
        let c1 = MonotonicClock.threadCPUNanoseconds()
        return (Double(t1 - t0) / 1e6, Double(c1 - c0) / 1e6)
    }
}
