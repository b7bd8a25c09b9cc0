// The instrumented pass: per-step times (and counters, when a backend is given) over a number
// of iterations, alternating with uninstrumented runs so that the instrumentation overhead is
// measured under the same conditions as the per-layer figures.
import SandglassEngine
import SandglassProbes

public enum PerLayerMeasurer {
    public static func measure(_ session: PointSession, iterations: Int) -> (PerLayerSummary, [LayerRecord]) {
        let plan = session.plan
        let timer = StepTimer(steps: plan.steps.count)
        var plain: [Double] = []
        var instrumented: [Double] = []
        for _ in 0..<iterations {
            plain.append(PointMeasurer.time(session.executor))
            let t0 = MonotonicClock.nanoseconds()
            session.executor.run(probe: timer)
            instrumented.append(Double(MonotonicClock.nanoseconds() - t0) / 1e6)
        }
        let ms = timer.meanMilliseconds
        let endToEnd = LatencyStatistics(samples: plain).median
        let instrumentedMedian = LatencyStatistics(samples: instrumented).median
        let summary = PerLayerSummary(iterations: iterations, endToEndMs: endToEnd, sumOfLayersMs: ms.reduce(0, +),
                                      overheadPercent: (instrumentedMedian - endToEnd) / endToEnd * 100,
                                      counterBackend: "none")
        let layers = plan.steps.enumerated().map { i, step in
            LayerRecord(name: step.name, op: step.op, kernel: step.kernel, timeMs: ms[i], madds: step.counts.madds,
                        shortcutAdds: step.counts.shortcutAdds, weightBytes: step.counts.weightBytes,
                        bytesRead: step.counts.bytesRead, bytesWritten: step.counts.bytesWritten,
                        identityBytes: step.counts.identityBytes, counters: [:])
        }
        return (summary, layers)
    }
}
