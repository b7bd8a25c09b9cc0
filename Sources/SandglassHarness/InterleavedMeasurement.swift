// Measures a group of models that stay resident together, alternating between them so that the
// pairs compared share the host's drift: every cycle runs each model once (or one block of N
// inferences) in a fresh seeded random order, and the candidates' latencies are paired with the
// baseline's from the same cycle. Model 0 is the baseline. Stops once every candidate's paired
// ratio has a 95% CI within ±target, or at the time cap.
//
// Alternating models evict each other's weights from the caches: with `.inference`, a latency is
// that of a model whose data other models have just displaced (a "cold-ish" cache), as in an app
// that runs several networks; with `.block(N)` the first inference after a switch is kept apart
// (switchCostMs) and the sample is the median of the remaining N − 1 (a warm cache).
import SandglassEngine
import SandglassProbes

public enum InterleaveMode: Hashable, Sendable, CustomStringConvertible, Codable {
    case inference
    case block(Int)

    /// "inference" or "block:N" (N ≥ 2).
    public init(parsing text: String) throws {
        let t = text.lowercased()
        if t == "inference" { self = .inference; return }
        if t.hasPrefix("block:"), let n = Int(t.dropFirst(6)), n >= 2, n <= 10_000 {
            self = .block(n); return
        }
        throw ResultsError("interleave '\(text)' is not valid: use 'inference' (alternate every inference) or 'block:N' with N from 2 to 10000")
    }

    public var description: String {
        switch self {
        case .inference: return "inference"
        case .block(let n): return "block:\(n)"
        }
    }

    /// Which cache state the figures reflect, said in every result.
    public var cacheState: String {
        switch self {
        case .inference: return "alternated every inference: each run follows another model's, whose data displaced its own from the caches"
        case .block(let n): return "blocks of \(n): each sample is the median of \(n - 1) back-to-back runs after the first (warm caches); the first run after a switch is reported apart as the switch cost"
        }
    }

    public init(from decoder: Decoder) throws {
        self = try InterleaveMode(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

public struct InterleavedMeasurement: Sendable {
    public var mode: InterleaveMode = .inference
    /// Warm-up runs of each model before the first cycle (interleaved too).
    public var warmupCycles = 10
    public var minCycles = 30
    public var maxCycles = 1_000_000
    public var maxSeconds = 20.0
    /// Stop when every candidate's ratio CI is within ±target (0.005 = ±0.5%); 0: run to the caps.
    public var target = 0.005
    public var seed: UInt64 = 1
    /// Called between cycles about every `monitorInterval` seconds (and once after the last),
    /// with the seconds since the cycles began and the cycles done: the host's drift on record.
    public var monitorInterval = DriftLog.interval
    public var monitor: (@Sendable (_ seconds: Double, _ cycles: Int) -> Void)?

    public init() {}

    public struct Result: Sendable {
        /// Per model, one sample per cycle (ms), in cycle order.
        public var samplesMs: [[Double]]
        /// Per model, the first run after each switch (block mode only; empty otherwise).
        public var switchCostMs: [[Double]]
        /// Per model, the warm-up runs (interleaved like the cycles), in order.
        public var warmupMs: [[Double]]
        public var cycles: Int
        public var seconds: Double
        /// ci-target, time-cap, max-cycles or interrupted.
        public var stopReason: String
        /// Candidates 1..<n against model 0.
        public var comparisons: [PairedComparison]
    }

    public func measure(_ executors: [Executor]) -> Result {
        let n = executors.count
        precondition(n >= 1, "InterleavedMeasurement needs at least one model")
        var random = SeededRandom(seed: seed)
        var order = Array(0..<n)
        func shuffle() {
            if n < 2 { return }
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        }
        var warmup = [[Double]](repeating: [], count: n)
        for _ in 0..<warmupCycles {
            shuffle()
            for i in order { warmup[i].append(PointMeasurer.time(executors[i])) }
            if Interruption.requested { break }
        }
        let runsPerVisit: Int
        switch mode {
        case .inference: runsPerVisit = 1
        case .block(let b): runsPerVisit = b
        }
        var samples = [[Double]](repeating: [], count: n)
        var switches = [[Double]](repeating: [], count: n)
        var block = [Double](repeating: 0, count: max(runsPerVisit - 1, 1))
        let start = MonotonicClock.nanoseconds()
        var cycles = 0
        var stopReason = "max-cycles"
        var nextCheck = minCycles
        var nextMonitor = 0.0
        measuring: while cycles < maxCycles && !Interruption.requested {
            shuffle()
            for i in order {
                if runsPerVisit == 1 {
                    samples[i].append(PointMeasurer.time(executors[i]))
                } else {
                    switches[i].append(PointMeasurer.time(executors[i]))
                    for r in 0..<(runsPerVisit - 1) { block[r] = PointMeasurer.time(executors[i]) }
                    samples[i].append(LatencyStatistics.percentile(sorted: block.sorted(), 50))
                }
            }
            cycles += 1
            if Interruption.requested { stopReason = "interrupted"; break }
            let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
            if let monitor, elapsed >= nextMonitor {
                monitor(elapsed, cycles)
                nextMonitor = elapsed + monitorInterval
            }
            if elapsed >= maxSeconds { stopReason = "time-cap"; break }
            if target > 0 && n > 1 && cycles >= nextCheck {
                var worst = 0.0
                for c in 1..<n {
                    worst = max(worst, PairedComparison(baseline: samples[0], candidate: samples[c]).halfWidth)
                    if worst > target { break }
                }
                if worst <= target { stopReason = "ci-target"; break measuring }
                nextCheck = cycles + max(10, cycles / 10)
            }
        }
        let seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        monitor?(seconds, cycles)
        let comparisons = n > 1 ? (1..<n).map { PairedComparison(baseline: samples[0], candidate: samples[$0]) } : []
        return Result(samplesMs: samples, switchCostMs: switches, warmupMs: warmup, cycles: cycles, seconds: seconds,
                      stopReason: stopReason, comparisons: comparisons)
    }
}
