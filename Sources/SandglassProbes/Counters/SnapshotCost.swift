// What one layer boundary costs: the median time of one snapshot of all sources (a read() per
// perf group, two system calls for the fallback), over batches. A run of S steps pays S + 1 of
// them, so this predicts the per-layer overhead before measuring it; on this VM one read() of a
// software group costs ~750 ns, several times what it costs on bare metal.

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
}
