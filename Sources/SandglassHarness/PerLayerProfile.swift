// The per-layer result of a benchmark, as `sandglass bench --per-layer --format json` writes it
// and sweeps store it: uninstrumented end-to-end time beside the instrumented per-layer figures,
// the overhead, and for every plan step its time, counters (each with provenance, or the reason
// it is unavailable) and memory traffic beside the analytic minimum.
import SandglassEngine
import SandglassProbes

public struct PerLayerProfile: Codable, Sendable {
    public struct Layer: Codable, Sendable {
        public var name: String
        public var op: String
        public var kernel: String
        /// Median wall time per inference over the instrumented runs (measured).
        public var timeMs: Double
        /// Mean wall time per inference: the basis of the counters, which are means too.
        public var meanMs: Double
        public var counters: CounterReadings
        /// Instrumented runs whose counters were read around this step (rotating windows read
        /// each step in some runs only); nil without counters.
        public var counterSamples: Int?
        public var memoryTraffic: LayerTraffic

        public init(name: String, op: String, kernel: String, timeMs: Double, meanMs: Double, counters: CounterReadings,
                    counterSamples: Int? = nil, memoryTraffic: LayerTraffic) {
            self.name = name; self.op = op; self.kernel = kernel; self.timeMs = timeMs; self.meanMs = meanMs
            self.counters = counters; self.counterSamples = counterSamples; self.memoryTraffic = memoryTraffic
        }
    }

    public struct Counters: Codable, Sendable {
        public var backend: String
        public var events: [String]
        public var presetFamily: String?
        public var notes: [String]
        /// What one snapshot of all counters (one per layer boundary) costs an inference, in
        /// ns, from a paired pilot (SnapshotCost.measurePaired): what sized the window.
        public var snapshotNanoseconds: Double?
        /// The snapshot call alone, timed between layers, and in a tight loop (the floor).
        public var snapshotCallNanoseconds: Double?
        public var snapshotTightLoopNanoseconds: Double?
        /// How counters were read: "read()" or, where the PMU allows, "rdpmc" (with the share).
        public var readPath: String?

        public init(backend: String, events: [String], presetFamily: String?, notes: [String],
                    snapshotNanoseconds: Double? = nil, snapshotCallNanoseconds: Double? = nil,
                    snapshotTightLoopNanoseconds: Double? = nil, readPath: String? = nil) {
            self.backend = backend; self.events = events; self.presetFamily = presetFamily; self.notes = notes
            self.snapshotNanoseconds = snapshotNanoseconds
            self.snapshotCallNanoseconds = snapshotCallNanoseconds
            self.snapshotTightLoopNanoseconds = snapshotTightLoopNanoseconds
            self.readPath = readPath
        }
    }

    /// Median of the uninstrumented inferences.
    public var endToEndMs: Double
    /// Median of the instrumented inferences, end to end.
    public var instrumentedMs: Double
    /// Sum of the layers' median times.
    public var perLayerSumMs: Double
    /// Sum of the layers' mean times, and the mean of the uninstrumented inferences: means add
    /// up where medians do not (each layer's median leaves out the interruptions that the
    /// median inference still contains), so this is the pair that checks the layers account for
    /// the whole inference.
    public var perLayerMeanSumMs: Double
    public var endToEndMeanMs: Double
    /// perLayerMeanSumMs against endToEndMeanMs, percent.
    public var perLayerSumErrorPercent: Double { (perLayerMeanSumMs / endToEndMeanMs - 1) * 100 }
    /// (instrumented − uninstrumented) / uninstrumented medians, wall time, in percent.
    public var overheadPercent: Double
    /// Medians of the benchmark thread's CPU time per inference, and the overhead in those
    /// terms: on a machine shared with other work they move less than wall time.
    public var endToEndCPUMs: Double
    public var overheadCPUPercent: Double
    /// The overhead from the interleaved pairs, percent: median of (instrumented / uninstrumented
    /// − 1) with its distribution-free 95% CI, and how many pairs.
    public var overheadPairedPercent: MedianCI?
    public var overheadPairs: Int?
    public var counters: Counters
    public var layers: [Layer]
    /// Per-event sums over all layers (per inference, from the layers' means).
    public var totals: CounterReadings

    /// Builds the profile of `plan` from a measurement; `readings(step)` gives each step's
    /// counters (from the probe, or the simulator), `lineBytes(level)` a cache level's line size.
    public init(plan: Plan, measurement: PerLayerBenchmark.Measurement, probe: LayerProbe, counters: Counters,
                traffic: [TrafficRule], readings: (Int) -> CounterReadings, lineBytes: (Int) -> Int,
                counterSamples: ((Int) -> Int)? = nil) {
        endToEndMs = measurement.endToEndMs
        instrumentedMs = measurement.instrumentedMs
        overheadPercent = measurement.overheadPercent
        endToEndCPUMs = measurement.endToEndCPUMs
        overheadCPUPercent = measurement.overheadCPUPercent
        if measurement.instrumented.count >= 2 {
            let paired = measurement.pairedOverhead
            overheadPairedPercent = MedianCI(median: (paired.ratio.median - 1) * 100, ciLow: (paired.ratio.ciLow - 1) * 100,
                                             ciHigh: (paired.ratio.ciHigh - 1) * 100)
            overheadPairs = paired.pairs
        }
        self.counters = counters
        layers = plan.steps.indices.map { i in
            let step = plan.steps[i]
            let r = readings(i)
            return Layer(name: step.name, op: step.op, kernel: step.kernel, timeMs: probe.medianMilliseconds(of: i),
                         meanMs: probe.meanMilliseconds(of: i), counters: r, counterSamples: counterSamples?(i),
                         memoryTraffic: LayerTraffic(analyticBytes: step.counts.bytes, rules: traffic, readings: r,
                                                     lineBytes: lineBytes))
        }
        perLayerSumMs = layers.reduce(0) { $0 + $1.timeMs }
        perLayerMeanSumMs = layers.reduce(0) { $0 + $1.meanMs }
        endToEndMeanMs = LatencyStatistics(samples: measurement.uninstrumented).mean
        totals = PerLayerProfile.sum(layers.map(\.counters), events: counters.events)
    }

    /// Sums readings per event; a total is unavailable if any layer's value is.
    static func sum(_ all: [CounterReadings], events: [String]) -> CounterReadings {
        var result = CounterReadings()
        for name in events {
            var total = 0.0
            var provenance: Provenance?
            var missing: String?
            for readings in all {
                switch readings[name] {
                case let .value(v, p, _)?:
                    total += v
                    provenance = provenance.map { $0.combined(with: p) } ?? p
                case let .unavailable(reason)?:
                    missing = missing ?? reason
                case nil:
                    missing = missing ?? "not reported"
                }
            }
            if let missing {
                result[name] = .unavailable(missing)
            } else if let provenance {
                result[name] = .value(total, provenance)
            }
        }
        return result
    }
}
