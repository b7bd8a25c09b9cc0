// The roofline bound of a plan: a floor under its latency from this machine's calibrated
// ceilings. Each step is bound by the larger of its FLOPs at the calibrated FMA peak and its
// planned bytes at the read bandwidth of the cache level it runs from; the bound is the sum over
// steps. Planned bytes are the step's analytic minimum (weights as executed, inputs, identity,
// outputs) after fusion, so a depth-first chain's intermediates cost nothing. A step "runs from"
// the smallest level whose capacity holds those bytes: a layer whose input and output fit L2
// finds its input there, left by the layer before. The model ignores the cost of a miss to a
// level below and the overlap of compute with traffic inside a step, so it is a floor, not a
// prediction: measured / bound says how far from it an engine runs.
import SandglassEngine

public struct RooflineBound: Codable, Sendable {
    public struct Level: Codable, Sendable {
        /// L1, L2, L3 or DRAM.
        public var name: String
        /// Bytes the level holds (nil for DRAM).
        public var capacityBytes: Int?
        public var gbPerSecond: Double
        /// Steps that run from this level, their planned bytes and their bound.
        public var steps: Int
        public var bytes: Int
        public var boundMs: Double
    }

    public var boundMs: Double
    /// The part of the bound from steps whose FLOPs take longer than their bytes.
    public var computeBoundMs: Double
    /// The part of the bound from steps whose bytes take longer than their FLOPs.
    public var trafficBoundMs: Double
    public var peakGflops: Double
    public var threads: Int
    public var levels: [Level]
    public var derivation: String
    /// Measured median latency / bound (set by the caller that measured it).
    public var measuredOverBound: Double?
}

public enum Roofline {
    public static let derivation = "per step: max(2·MAdds / calibrated FMA peak, planned bytes / read bandwidth of the smallest "
        + "cache level holding those bytes); planned bytes = weights + inputs + identity + outputs after fusion; summed over steps"

    /// Why a plan has no roofline bound here: the sentence `bench` prints and the worker answers.
    public struct Unavailable: Error, Sendable {
        public let reason: String
    }

    /// The bound of `plan` from a quick calibration on the CPUs this thread may run on (the
    /// pinned core when pinned), or why there is none: an int8 plan (the calibration measures
    /// fp32 FMA, which is no floor for int8 arithmetic: a VNNI or madd instruction does more
    /// multiply-adds), or a ceiling that could not be measured. `measuredMs`, when given, sets
    /// `measuredOverBound`.
    public static func quickBound(plan: Plan, measuredMs: Double? = nil) -> Result<RooflineBound, Unavailable> {
        guard plan.elementType == .f32 else {
            return .failure(Unavailable(reason: "the roofline's peak is the calibrated fp32 FMA throughput, which does not bound an \(plan.elementType.rawValue) plan"))
        }
        // The peak from the best of 25 short runs: on a shared host a quick calibration's best
        // of two moved it from 130 to 86 GFLOP/s between two runs.
        let calibration = MachineCalibration.run(threadCounts: [plan.options.threads], quick: true, isas: [plan.isa],
                                                 peakRepetitions: 25)
        let caches = Environment.capture().caches.filter { $0.type != "Instruction" }
            .compactMap { c in c.sizeBytes.map { (level: c.level, bytes: $0) } }
        guard var bound = bound(plan: plan, calibration: calibration, caches: caches) else {
            return .failure(Unavailable(reason: "a ceiling (FMA peak or a read bandwidth) could not be measured here: see `sandglass calibrate`"))
        }
        if let measuredMs { bound.measuredOverBound = measuredMs / bound.boundMs }
        return .success(bound)
    }

    /// The bound of `plan` from a calibration at the plan's thread count, with `caches` the data
    /// cache levels of one core (level number, bytes), smallest first. Nil when the calibration
    /// lacks the peak of the plan's ISA or a bandwidth at that thread count.
    public static func bound(plan: Plan, calibration: CalibrationRecord, caches: [(level: Int, bytes: Int)]) -> RooflineBound? {
        let threads = plan.options.threads
        guard let peak = calibration.peak(isa: plan.isa.rawValue, threads: threads) ?? calibration.peak(threads: threads),
              peak > 0 else { return nil }
        var levels: [RooflineBound.Level] = []
        for cache in caches.sorted(by: { $0.level < $1.level }) {
            guard let gbs = calibration.bandwidth(level: "L\(cache.level)", threads: threads), gbs > 0 else { continue }
            levels.append(RooflineBound.Level(name: "L\(cache.level)", capacityBytes: cache.bytes, gbPerSecond: gbs,
                                              steps: 0, bytes: 0, boundMs: 0))
        }
        guard let dram = calibration.bandwidth(level: "DRAM", threads: threads), dram > 0 else { return nil }
        levels.append(RooflineBound.Level(name: "DRAM", capacityBytes: nil, gbPerSecond: dram, steps: 0, bytes: 0, boundMs: 0))
        var compute = 0.0, traffic = 0.0
        for step in plan.steps {
            let bytes = step.counts.bytes
            let i = levels.firstIndex { ($0.capacityBytes ?? Int.max) >= bytes } ?? levels.count - 1
            let computeMs = 2 * Double(step.counts.madds) / (peak * 1e6)
            let trafficMs = Double(bytes) / (levels[i].gbPerSecond * 1e6)
            let ms = max(computeMs, trafficMs)
            if computeMs >= trafficMs { compute += ms } else { traffic += ms }
            levels[i].steps += 1
            levels[i].bytes += bytes
            levels[i].boundMs += ms
        }
        return RooflineBound(boundMs: compute + traffic, computeBoundMs: compute, trafficBoundMs: traffic, peakGflops: peak,
                             threads: threads, levels: levels, derivation: derivation)
    }
}
