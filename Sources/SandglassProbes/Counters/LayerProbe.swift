// The per-layer probe: wall time and counter snapshots around every plan step, summed per step
// over all instrumented runs. Consecutive steps share a boundary: the snapshot that ends step i
// starts step i+1, so a run costs steps + 1 snapshots (one read() per counter group each)
// instead of 2 × steps. The wall time of a step is taken inside its snapshots, so it excludes
// their cost; counters include about one snapshot's cost per step (the kernel stamps a group
// somewhere inside the read() call).
import SandglassEngine

public final class LayerProbe: ExecutionProbe {
    public let stepCount: Int
    public let sources: [CounterSource]
    private let words: Int
    private let offsets: [Int]
    private var boundary: UnsafeMutablePointer<UInt64>
    private var scratch: UnsafeMutablePointer<UInt64>
    private let sums: UnsafeMutablePointer<UInt64>
    private let nanoseconds: UnsafeMutablePointer<UInt64>
    private let occurrences: UnsafeMutablePointer<Int>
    /// Per step, the wall time of every run (for medians, which resist the odd slow run).
    private var times: [[UInt64]]
    private var stepStart: UInt64 = 0
    /// The step whose didRunStep was the last callback, or -1.
    private var lastFinished = -1

    /// `expectedRuns`: instrumented runs to reserve room for, so that the hot path does not
    /// allocate.
    public init(steps: Int, sources: [CounterSource] = [], expectedRuns: Int = 128) {
        stepCount = steps
        times = (0..<steps).map { _ in
            var a: [UInt64] = []
            a.reserveCapacity(expectedRuns)
            return a
        }
        self.sources = sources
        var offsets: [Int] = []
        var words = 0
        for s in sources {
            offsets.append(words)
            words += s.snapshotWords
        }
        self.offsets = offsets
        self.words = words
        boundary = .allocate(capacity: max(words, 1))
        boundary.initialize(repeating: 0, count: max(words, 1))
        scratch = .allocate(capacity: max(words, 1))
        scratch.initialize(repeating: 0, count: max(words, 1))
        sums = .allocate(capacity: max(steps * words, 1))
        sums.initialize(repeating: 0, count: max(steps * words, 1))
        nanoseconds = .allocate(capacity: max(steps, 1))
        nanoseconds.initialize(repeating: 0, count: max(steps, 1))
        occurrences = .allocate(capacity: max(steps, 1))
        occurrences.initialize(repeating: 0, count: max(steps, 1))
    }

    deinit {
        boundary.deallocate(); scratch.deallocate(); sums.deallocate()
        nanoseconds.deallocate(); occurrences.deallocate()
    }

    /// Starts the counters (once, before the instrumented runs).
    public func start() { for s in sources { s.start() } }
    /// Stops them.
    public func stop() { for s in sources { s.stop() } }

    @inline(__always)
    private func snapshot(into buffer: UnsafeMutablePointer<UInt64>) {
        for (s, offset) in zip(sources, offsets) { s.snapshot(into: buffer + offset) }
    }

    public func willRunStep(_ index: Int) {
        // Reuse the previous step's closing snapshot only if nothing ran in between.
        if words > 0 && (index == 0 || lastFinished != index - 1) { snapshot(into: boundary) }
        lastFinished = -1
        stepStart = MonotonicClock.nanoseconds()
    }

    public func didRunStep(_ index: Int) {
        let end = MonotonicClock.nanoseconds()
        nanoseconds[index] &+= end &- stepStart
        times[index].append(end &- stepStart)
        occurrences[index] += 1
        if words > 0 {
            snapshot(into: scratch)
            let row = sums + index * words
            for w in 0..<words { row[w] &+= scratch[w] &- boundary[w] }
            swap(&boundary, &scratch)
        }
        lastFinished = index
    }

    /// How many times step `index` ran instrumented.
    public func runs(of index: Int) -> Int { occurrences[index] }

    /// Mean wall time of step `index` per run, in milliseconds.
    public func meanMilliseconds(of index: Int) -> Double {
        Double(nanoseconds[index]) / 1e6 / Double(max(occurrences[index], 1))
    }

    /// Median wall time of step `index` over its runs, in milliseconds.
    public func medianMilliseconds(of index: Int) -> Double {
        let sorted = times[index].sorted()
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        let ns = sorted.count % 2 == 1 ? Double(sorted[mid]) : (Double(sorted[mid - 1]) + Double(sorted[mid])) / 2
        return ns / 1e6
    }

    /// Counter readings of step `index`, means per run, from every source.
    public func readings(of index: Int) -> CounterReadings {
        var result = CounterReadings()
        for (s, offset) in zip(sources, offsets) {
            for (name, reading) in s.readings(deltaSums: sums + index * words + offset, occurrences: occurrences[index]).entries {
                result[name] = reading
            }
        }
        return result
    }
}
