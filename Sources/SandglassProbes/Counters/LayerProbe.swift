// The per-layer probe: wall time and counter snapshots around every plan step, summed per step
// over all instrumented runs. Consecutive steps share a boundary: the snapshot that ends step i
// starts step i+1, so a run costs steps + 1 snapshots (one read() per counter group each)
// instead of 2 × steps. The wall time of a step is taken inside its snapshots, so it excludes
// their cost; counters include about one snapshot's cost per step (the kernel stamps a group
// somewhere inside the read() call). Where no snapshot falls between two steps they share a
// clock read too (the end of one is the start of the next): each clock read waits for the
// instructions before it to finish, so halving them halves what timing costs the layers, and
// the small bookkeeping between two steps lands in a step instead of nowhere.
//
// Rotating instrumentation: every step is timed in every instrumented run (a clock read is
// cheap), but counters need not be read at every step of every run. With `window` below the
// step count, each run snapshots the counters only around a window of consecutive steps, and
// the window moves on by its own length from one run to the next, so over the runs every step
// collects counter samples (`counterSamples(of:)`) at a fraction of the cost.
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
    /// Per step, the runs in which its counters were read.
    private let counterOccurrences: UnsafeMutablePointer<Int>
    /// Steps whose counters each run reads (all by default); the window starts at
    /// `windowStart` and moves on by `window` at the start of every run.
    public var window: Int
    private var windowStart = 0
    private var runWindowStart = 0
    /// Whether the previous step's closing snapshot can open this one.
    private var previousSnapshotted = false
    /// The wall time of every run of every step (for medians, which resist the odd slow run):
    /// run r of step i at `times[r * stepCount + i]`: flat, so that recording one is a store,
    /// and one run's times side by side, so that a run touches a few cache lines, not one per
    /// step.
    private var times: UnsafeMutablePointer<UInt64>
    private var timesCapacity: Int
    /// Per step, when each run of it started (monotonic ns): the timeline a trace shows, kept
    /// only when asked for (one more append per step in the instrumented runs).
    private var starts: [[UInt64]]
    private let recordsTimeline: Bool
    private var stepStart: UInt64 = 0
    /// The clock read that ended the last step, when nothing (no snapshot) came after it.
    private var lastEnd: UInt64 = 0
    private var lastEndReusable = false
    /// When set, every snapshot is timed (two clock reads around it), to learn what a
    /// snapshot costs in place, between real layers, rather than in a tight loop.
    public var timesSnapshots = false
    /// Nanoseconds spent in timed snapshots, and how many there were.
    public private(set) var snapshotNanosecondsSum: UInt64 = 0
    public private(set) var timedSnapshots = 0
    /// The step whose didRunStep was the last callback, or -1.
    private var lastFinished = -1

    /// `expectedRuns`: instrumented runs to reserve room for, so that the hot path does not
    /// allocate.
    public init(steps: Int, sources: [CounterSource] = [], expectedRuns: Int = 128, recordsTimeline: Bool = false) {
        self.recordsTimeline = recordsTimeline
        stepCount = steps
        timesCapacity = max(expectedRuns, 1)
        times = .allocate(capacity: max(steps, 1) * timesCapacity)
        times.initialize(repeating: 0, count: max(steps, 1) * timesCapacity)
        starts = (0..<steps).map { _ in
            var a: [UInt64] = []
            if recordsTimeline { a.reserveCapacity(expectedRuns) }
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
        counterOccurrences = .allocate(capacity: max(steps, 1))
        counterOccurrences.initialize(repeating: 0, count: max(steps, 1))
        window = steps
    }

    deinit {
        boundary.deallocate(); scratch.deallocate(); sums.deallocate()
        nanoseconds.deallocate(); occurrences.deallocate(); counterOccurrences.deallocate(); times.deallocate()
    }

    /// Starts the counters (once, before the instrumented runs).
    public func start() { for s in sources { s.start() } }
    /// Stops them.
    public func stop() { for s in sources { s.stop() } }

    @inline(__always)
    private func snapshot(into buffer: UnsafeMutablePointer<UInt64>) {
        if timesSnapshots {
            let t0 = MonotonicClock.nanoseconds()
            for (s, offset) in zip(sources, offsets) { s.snapshot(into: buffer + offset) }
            snapshotNanosecondsSum &+= MonotonicClock.nanoseconds() &- t0
            timedSnapshots += 1
            return
        }
        for (s, offset) in zip(sources, offsets) { s.snapshot(into: buffer + offset) }
    }

    /// Whether this run reads the counters around step `index`.
    @inline(__always)
    private func inWindow(_ index: Int) -> Bool {
        window >= stepCount || (index - runWindowStart + stepCount) % stepCount < window
    }

    public func willRunStep(_ index: Int) {
        if index == 0 {
            // A new run: its window is where the last one's ended.
            runWindowStart = windowStart
            if window < stepCount { windowStart = (windowStart + window) % stepCount }
        }
        // Reuse the previous step's closing snapshot, and clock read, only if nothing ran in
        // between.
        let follows = index > 0 && lastFinished == index - 1
        var snapshotted = false
        if words > 0 && inWindow(index) && !(follows && previousSnapshotted) {
            snapshot(into: boundary)
            snapshotted = true
        }
        lastFinished = -1
        stepStart = follows && lastEndReusable && !snapshotted ? lastEnd : MonotonicClock.nanoseconds()
    }

    /// More room per step for run times (a cold path: callers reserve `expectedRuns`).
    private func growTimes() {
        let capacity = timesCapacity * 2
        let used = max(stepCount, 1) * timesCapacity
        let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: max(stepCount, 1) * capacity)
        grown.initialize(from: times, count: used)
        (grown + used).initialize(repeating: 0, count: max(stepCount, 1) * capacity - used)
        times.deallocate()
        times = grown
        timesCapacity = capacity
    }

    public func didRunStep(_ index: Int) {
        let end = MonotonicClock.nanoseconds()
        nanoseconds[index] &+= end &- stepStart
        if occurrences[index] == timesCapacity { growTimes() }
        times[occurrences[index] * stepCount + index] = end &- stepStart
        if recordsTimeline { starts[index].append(stepStart) }
        occurrences[index] += 1
        previousSnapshotted = false
        lastEnd = end
        lastEndReusable = true
        if words > 0 && inWindow(index) {
            lastEndReusable = false
            snapshot(into: scratch)
            let row = sums + index * words
            for w in 0..<words { row[w] &+= scratch[w] &- boundary[w] }
            swap(&boundary, &scratch)
            counterOccurrences[index] += 1
            previousSnapshotted = true
        }
        lastFinished = index
    }

    /// Start (monotonic ns) and duration (ns) of every instrumented run of step `index`, in
    /// order (empty unless the probe records its timeline).
    public func timeline(of index: Int) -> [(start: UInt64, duration: UInt64)] {
        zip(starts[index], durations(of: index)).map { (start: $0, duration: $1) }
    }

    /// Wall time (ns) of every instrumented run of step `index`, in order.
    public func durations(of index: Int) -> [UInt64] {
        (0..<occurrences[index]).map { times[$0 * stepCount + index] }
    }

    /// How many runs read the counters of step `index`.
    public func counterSamples(of index: Int) -> Int { words > 0 ? counterOccurrences[index] : 0 }

    /// The window for `runs` instrumented runs: the widest that keeps counter snapshots within
    /// `budget` (0.003: 0.3 %, leaving room under 1% for the step timing, 0.2-0.5% measured) of an inference of `inferenceMs`, each snapshot costing
    /// `snapshotNanoseconds` (a window of k steps takes k + 1 snapshots), but never so narrow that
    /// a step gets fewer than `minimumSamples` samples (or fewer than `runs`, when runs are
    /// fewer): coverage first, then cost. At least 1 step, at most all.
    public static func window(steps: Int, runs: Int, snapshotNanoseconds: Double, inferenceMs: Double,
                              budget: Double = 0.003, minimumSamples: Int = 20) -> Int {
        guard snapshotNanoseconds > 0, inferenceMs > 0, runs > 0 else { return steps }
        let affordable = Int((budget * inferenceMs * 1e6 / snapshotNanoseconds).rounded(.down)) - 1
        let needed = (steps * min(minimumSamples, runs) + runs - 1) / runs
        return max(1, min(steps, max(affordable, needed)))
    }

    /// How many times step `index` ran instrumented.
    public func runs(of index: Int) -> Int { occurrences[index] }

    /// Mean wall time of step `index` per run, in milliseconds.
    public func meanMilliseconds(of index: Int) -> Double {
        Double(nanoseconds[index]) / 1e6 / Double(max(occurrences[index], 1))
    }

    /// Median wall time of step `index` over its runs, in milliseconds.
    public func medianMilliseconds(of index: Int) -> Double {
        let sorted = durations(of: index).sorted()
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        let ns = sorted.count % 2 == 1 ? Double(sorted[mid]) : (Double(sorted[mid - 1]) + Double(sorted[mid])) / 2
        return ns / 1e6
    }

    /// Counter readings of step `index`, means per run, from every source.
    public func readings(of index: Int) -> CounterReadings {
        var result = CounterReadings()
        if words > 0 && counterOccurrences[index] == 0 {
            for name in sources.flatMap(\.eventNames) {
                result[name] = .unavailable("not sampled: no instrumented run read the counters around this step (more iterations, or a wider window)")
            }
            return result
        }
        for (s, offset) in zip(sources, offsets) {
            for (name, reading) in s.readings(deltaSums: sums + index * words + offset, occurrences: counterOccurrences[index]).entries {
                result[name] = reading
            }
        }
        return result
    }
}
