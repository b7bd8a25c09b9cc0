// The records of a results file (JSON Lines, one record per line, schema versioned):
//   header  the sweep and the captured environment (one per session; a resume adds one)
//   block   one round's samples of a point, when a sweep has several rounds
//   point   a completed point: its parameters (named like the CLI flags), statistics,
//           raw samples, counts, per-layer breakdown, point-level environment, warnings
//   calibration  the machine's measured peak FMA throughput and bandwidths (MachineCalibration)
//   end     how a session ended (load average, completed/total, interrupted or not)
import SandglassEngine

public let resultsSchemaVersion = 1

public struct HeaderRecord: Codable, Sendable {
    public var type = "header"
    public var schemaVersion = resultsSchemaVersion
    public var sweep: SweepSpec
    public var environment: Environment
    public var startedAt: String
    public var resumed: Bool
    /// Set when the sweep ran on a remote board (see `--target`).
    public var board: String?
    /// This machine's resolution, measured by an A/A pair at the start of a sweep with
    /// comparison groups: no effect below it is called real.
    public var resolution: PairedResolution?
    /// The kernels and networks checked against their references before measuring (or that
    /// the check was skipped).
    public var selftest: SelfTestOutcome?

    public init(sweep: SweepSpec, environment: Environment, startedAt: String, resumed: Bool, board: String? = nil,
                resolution: PairedResolution? = nil, selftest: SelfTestOutcome? = nil) {
        self.sweep = sweep; self.environment = environment; self.startedAt = startedAt; self.resumed = resumed; self.board = board
        self.resolution = resolution
        self.selftest = selftest
    }
}

public struct BlockRecord: Codable, Sendable {
    public var type = "block"
    public var schemaVersion = resultsSchemaVersion
    public var id: String
    public var round: Int
    public var samplesMs: [Double]
    public var warmupMs: [Double]
    public var durationSeconds: Double
    public var board: String?
}

public struct WarmupRecord: Codable, Sendable {
    public var runs: Int
    public var seconds: Double
    public var firstMs: Double?
    public var latencyMs: LatencyStatistics
}

public struct MemoryRecord: Codable, Sendable {
    public var packedWeightBytes: Int
    public var arenaBytes: Int
    public var plannedBytes: Int
    public var residentBytes: Int?
    public var peakResidentBytes: Int?
}

/// A counter value with where it came from, or why it is unavailable.
public struct CounterValue: Codable, Sendable, Equatable {
    public var value: Double?
    /// measured, scaled (after multiplexing), simulated, analytic
    public var provenance: String?
    public var unavailable: String?
    /// Where the kernel multiplexed the counter group: the share of the region it counted.
    public var runningFraction: Double?
    /// For memory traffic: the level it was measured at (e.g. "L2->L1", "DRAM").
    public var level: String?

    public init(value: Double, provenance: String) { self.value = value; self.provenance = provenance; unavailable = nil }
    public init(unavailable reason: String) { value = nil; provenance = nil; unavailable = reason }
}

public struct LayerRecord: Codable, Sendable {
    public var name: String
    public var op: String
    public var kernel: String
    public var timeMs: Double
    public var madds: Int
    public var shortcutAdds: Int
    public var weightBytes: Int
    public var bytesRead: Int
    public var bytesWritten: Int
    public var identityBytes: Int
    public var counters: [String: CounterValue]
    /// Instrumented runs whose counters were read around this layer (nil without counters).
    public var counterSamples: Int?
    /// For a depth-first chain: the analytic bytes its layers move run layer by layer (the
    /// bytes above are the chain's, without its intermediates).
    public var unfusedBytes: Int? = nil
}

public struct PerLayerSummary: Codable, Sendable {
    public var iterations: Int
    /// Median uninstrumented end-to-end latency measured beside the instrumented pass.
    public var endToEndMs: Double
    /// Mean per-run sum of the instrumented steps.
    public var sumOfLayersMs: Double
    public var overheadPercent: Double
    /// The overhead from the interleaved instrumented/uninstrumented pairs, percent, with its CI.
    public var overheadPairedPercent: MedianCI?
    public var counterBackend: String
    public var counterEvents: [String]?
    public var counterNotes: [String]?
}

public struct PointEnvironment: Codable, Sendable {
    public var startedAt: String
    public var durationSeconds: Double
    public var loadAverageStart: [Double]?
    public var loadAverageEnd: [Double]?
    public var frequencyMHzStart: [Double?]?
    public var frequencyMHzEnd: [Double?]?
    /// One-way core-to-core latency between the cores of a multi-threaded point, before and after.
    public var coreToCoreNsBefore: Double?
    public var coreToCoreNsAfter: Double?
    public var cpus: [Int]
    /// Thermal zones (°C) before and after, where the kernel exposes them.
    public var temperatureCelsiusStart: [String: Double]?
    public var temperatureCelsiusEnd: [String: Double]?
    /// Seconds waited for the temperature to fall below `cooldown-below-celsius`.
    public var cooldownWaitSeconds: Double?
    /// Groups: the host sampled between cycles about every 2 s (DriftLog), so that drift and
    /// throttling during the measurement are on record, not only at its ends.
    public var drift: [DriftSample]?
    /// Kernel choices tuned for this CPU that the point's plan ran (nil: tuning off, or a
    /// record written before tuning existed).
    public var tuning: TuningOutcome?
}

/// A candidate of a comparison group against its baseline, paired cycle by cycle.
public struct PairedRecord: Codable, Sendable {
    /// The baseline point's id.
    public var baseline: String
    public var pairs: Int
    /// candidate / baseline.
    public var ratio: MedianCI
    /// candidate − baseline, ms.
    public var differenceMs: MedianCI
    public var lag1Autocorrelation: Double?
    /// faster, slower, or not distinguishable at this machine's resolution.
    public var verdict: String

    public init(baseline: String, _ c: PairedCandidate) {
        self.init(baseline: baseline, pairs: c.pairs, ratio: c.ratio, differenceMs: c.differenceMs,
                  lag1Autocorrelation: c.lag1Autocorrelation, verdict: c.verdict)
    }

    public init(baseline: String, pairs: Int, ratio: MedianCI, differenceMs: MedianCI, lag1Autocorrelation: Double?, verdict: String) {
        self.baseline = baseline; self.pairs = pairs; self.ratio = ratio; self.differenceMs = differenceMs
        self.lag1Autocorrelation = lag1Autocorrelation; self.verdict = verdict
    }
}

public struct PointRecord: Codable, Sendable {
    public var type = "point"
    public var schemaVersion = resultsSchemaVersion
    public var id: String
    public var model: String
    public var width: Double
    public var alpha: IdentityMultiplier
    public var resolution: Int
    public var threads: Int
    public var add: AddMode
    public var counters: CounterSelection
    public var pin: PinRequest
    public var isa: ISAChoice
    public var isaUsed: String
    /// nil in records written before the fusion axis existed (read as its default, auto).
    public var fusion: Fusion?
    /// nil in records written before the tuning axis existed (read as its default, cached).
    public var tuning: TuningMode?
    /// nil in records written before the dtype axis existed (read as its default, f32).
    public var dtype: ElementType?
    public var board: String?
    public var latencyMs: LatencyStatistics
    public var samplesMs: [Double]
    public var warmup: WarmupRecord
    public var outliers: OutlierCounts
    public var stopReason: String
    public var rounds: Int
    public var totals: ModelSummary.Totals
    public var memory: MemoryRecord
    public var perLayer: PerLayerSummary?
    public var layers: [LayerRecord]?
    public var environment: PointEnvironment
    public var warnings: [String]
    /// Set for points measured in a comparison group: how they alternated, and which cache
    /// state their figures reflect.
    public var interleave: String?
    public var cacheState: String?
    /// Shared by the points measured in one group: their `samplesMs` are aligned cycle by
    /// cycle (sample i of each came from the same cycle), so any two of them pair.
    public var group: String?
    /// Set for a group's candidates: the ratio to the group's baseline, paired per cycle.
    public var paired: PairedRecord?

    /// The point's parameters, as a SweepPoint.
    public var point: SweepPoint {
        SweepPoint(model: model, width: width, alpha: alpha, resolution: resolution, threads: threads, add: add,
                   counters: counters, pin: pin, isa: isa, fusion: fusion ?? .auto, tuning: tuning ?? .cached,
                   dtype: dtype ?? .f32)
    }
}

public struct EndRecord: Codable, Sendable {
    public var type = "end"
    public var schemaVersion = resultsSchemaVersion
    public var finishedAt: String
    public var completedPoints: Int
    public var totalPoints: Int
    public var interrupted: Bool
    public var loadAverage: [Double]?
    /// Set when the sweep ran on a remote board, like every other record of that board.
    public var board: String?

    public init(finishedAt: String, completedPoints: Int, totalPoints: Int, interrupted: Bool, loadAverage: [Double]?,
                board: String? = nil) {
        self.finishedAt = finishedAt; self.completedPoints = completedPoints; self.totalPoints = totalPoints
        self.interrupted = interrupted; self.loadAverage = loadAverage; self.board = board
    }
}
