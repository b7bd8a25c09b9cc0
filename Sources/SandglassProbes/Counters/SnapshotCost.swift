// What one layer boundary costs: one snapshot of all sources (a read() per perf group, two
// system calls for the fallback). A run of S steps pays S + 1 of them, so this predicts the
// counters' share of the per-layer overhead before measuring it. Measured three ways: in a
// tight loop (`measure`: warm caches, the floor), the call alone between real layers, and what
// it costs the inference around it, from a short paired pilot (`measurePaired`). On an Intel
// Xeon KVM guest a software group read took 0.6 us in the loop, 1.4-1.7 us between layers, and
// about 5 us of inference time: the system call disturbs the layers after it. Only the last
// predicts the overhead, so it sizes the rotating window.
import SandglassEngine

public enum SnapshotCost {
    /// Median nanoseconds per snapshot of `sources` (0 without sources).
    public static func measure(_ sources: [CounterSource], batches: Int = 15, perBatch: Int = 1_000) -> Double {
        let words = sources.reduce(0) { $0 + $1.snapshotWords }
        guard words > 0 else { return 0 }
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        defer { buffer.deallocate() }
        for s in sources { s.start() }
        defer { for s in sources { s.stop() } }
        var perSnapshot: [Double] = []
        for _ in 0..<batches {
            let t0 = MonotonicClock.nanoseconds()
            for _ in 0..<perBatch {
                var offset = 0
                for s in sources {
                    s.snapshot(into: buffer + offset)
                    offset += s.snapshotWords
                }
            }
            perSnapshot.append(Double(MonotonicClock.nanoseconds() - t0) / Double(perBatch))
        }
        perSnapshot.sort()
        return perSnapshot[perSnapshot.count / 2]
    }

    /// What a snapshot costs an inference, from a short paired pilot: `pairs` uninstrumented
    /// inferences of `executor` alternated with as many that snapshot every boundary.
    /// `perSnapshot` is the median extra time of an instrumented inference over its neighbour
    /// divided by its snapshots: the call itself plus what it does to the caches and predictors
    /// of the layers around it (in these VMs 3-4x the call). `inPlace` is the call alone, timed
    /// around each snapshot in the same runs (never above `perSnapshot`, which is raised to it
    /// when noise says less). Starts and stops the sources itself; nil without sources.
    public static func measurePaired(_ sources: [CounterSource], executor: Executor, pairs: Int = 40)
        -> (perSnapshot: Double, inPlace: Double)? {
        guard sources.contains(where: { $0.snapshotWords > 0 }) else { return nil }
        let steps = executor.plan.steps.count
        let probe = LayerProbe(steps: steps, sources: sources, expectedRuns: pairs)
        probe.timesSnapshots = true
        var extra: [Double] = []
        extra.reserveCapacity(pairs)
        probe.start()
        for i in 0..<max(1, pairs) {
            let t0 = MonotonicClock.nanoseconds()
            if i % 2 == 0 { executor.run() } else { executor.run(probe: probe) }
            let t1 = MonotonicClock.nanoseconds()
            if i % 2 == 0 { executor.run(probe: probe) } else { executor.run() }
            let t2 = MonotonicClock.nanoseconds()
            let first = Double(t1 - t0), second = Double(t2 - t1)
            extra.append(i % 2 == 0 ? second - first : first - second)
        }
        probe.stop()
        extra.sort()
        let mid = extra.count / 2
        let median = extra.count % 2 == 1 ? extra[mid] : (extra[mid - 1] + extra[mid]) / 2
        let inPlace = Double(probe.snapshotNanosecondsSum) / Double(max(probe.timedSnapshots, 1))
        return (max(median / Double(steps + 1), inPlace), inPlace)
    }
}
