// Measures one block of one point: a warm-up phase (at least N runs and at least T seconds,
// reported separately), then timed repetitions of the uninstrumented executor until the 95%
// CI of the median is within the target, or the block's repetition or time budget is spent.
import Foundation
import SandglassEngine
import SandglassKernels
import SandglassONNX
import SandglassProbes

/// One point made ready to measure: pinned, planned, its executor built. The one setup that
/// `bench`, `ab`, `resolution` and sweeps share.
public struct PointSession {
    public let point: SweepPoint
    public let plan: Plan
    public let executor: Executor
    /// One CPU per thread where the point is pinned (empty when it is not).
    public let cpus: [Int]
    /// The model's counts, kept after the graph (its unfolded weights) is released.
    public let totals: ModelSummary.Totals
    /// The graph's name ("MobileNeXt-1.0 …", or the imported file's).
    public let modelName: String
    /// The kernel choices tuned for this CPU that the plan applies (PlanTuning.swift).
    public let tuning: TuningOutcome

    /// Builds and plans the point's model, applying its pinning to the calling thread.
    public init(_ point: SweepPoint, seed: UInt64 = 0) throws {
        try self.init(point, seed: seed, topology: try? HwlocTopology.load()) { try PointSession.graph(for: point, seed: seed) }
    }

    /// The core: binds the calling thread first (so that weights and arena are first touched on
    /// the CPU that will run them), then builds the graph with `makeGraph`, plans it and lets
    /// the graph go. Problems with the point's parameters (a pin this machine cannot honour, sim
    /// with two threads) throw ParameterError; callers report them as usage errors.
    public init(_ point: SweepPoint, seed: UInt64, topology: Topology?, makeGraph: () throws -> Graph) throws {
        self.point = point
        cpus = try PointSession.cpus(for: point, topology: topology)
        if let first = cpus.first {
            do { try ThreadPinning.bindCurrentThread(to: first) } catch { throw ResultsError("point \(point.label): \(error)") }
        }
        // A sim point runs the kernels callgrind can decode, natively too, so that its times and
        // its simulated counts describe the same plan.
        let isa = point.counters == .sim ? try SimulatedCounters.simulatedISA(point.isa.isa, threads: point.threads) : point.isa.isa
        let graph = try makeGraph()
        totals = ModelSummary.Totals(graph.totals)
        modelName = graph.name
        // Tuned on the point's first core, which the thread is bound to; not under callgrind,
        // whose simulated CPU is not the one the choices are for.
        // The tuned choices are the float kernels'; an int8 plan has none yet.
        let tuningMode: TuningMode = point.counters == .sim || point.dtype == .int8 ? .off : point.tuning
        var options = PlanOptions(isa: isa, addMode: point.add, threads: point.threads, fusion: point.fusion,
                                  l2Bytes: topology?.l2Bytes ?? PlanOptions.defaultL2Bytes)
        options.elementType = point.dtype
        let tuned = try PlanTuning.resolve(graph, options: options, mode: tuningMode, cpus: cpus)
        tuning = tuned.outcome
        options.tuning = tuned.table
        plan = try Planner.plan(graph, options: options)
        plan.setRandomInput(seed: seed)
        executor = Executor(plan: plan, pinning: cpus.count >= point.threads ? cpus : nil)
    }

    /// The point's model: built in (random weights from `seed`) or imported.
    public static func graph(for point: SweepPoint, seed: UInt64) throws -> Graph {
        guard let path = point.onnxPath else { return try point.modelSpec(seed: seed).build() }
        do { return try ONNXImporter.load(path: path).graph } catch let e as ONNXImportError {
            throw ResultsError("point \(point.label): \(e.message)")
        }
    }

    /// The CPUs a point runs on, one per thread (hwloc's PinRequest: core:N, kind:big|little), or
    /// none when the point is not pinned.
    public static func cpus(for point: SweepPoint, topology: Topology? = try? HwlocTopology.load()) throws -> [Int] {
        let request = point.pin
        guard request != .none else { return [] }
        guard let topology else { throw ResultsError("pin \(point.pin): the topology (hwloc) could not be read, so the point cannot be pinned") }
        do { return try request.cpus(threads: point.threads, topology: topology) ?? [] } catch let e as PinRequest.ParseError {
            throw ParameterError(e.description)
        }
    }
}

public struct BlockMeasurement {
    public var warmupMs: [Double] = []
    public var samplesMs: [Double] = []
    public var stopReason = ""
    public var seconds = 0.0
}

public enum PointMeasurer {
    @inline(__always)
    static func time(_ executor: Executor) -> Double {
        let t0 = MonotonicClock.nanoseconds()
        executor.run()
        return Double(MonotonicClock.nanoseconds() - t0) / 1e6
    }

    /// One block. `previous` holds this point's samples from earlier rounds (for the CI target).
    public static func measureBlock(_ session: PointSession, settings m: MeasurementSettings,
                                    previous: [Double]) -> BlockMeasurement {
        var b = BlockMeasurement()
        let start = MonotonicClock.nanoseconds()
        if m.cooldownSeconds > 0 { usleep(UInt32(min(m.cooldownSeconds, 3600) * 1e6)) }
        // Warm-up: at least N runs and at least T seconds.
        let warmStart = MonotonicClock.nanoseconds()
        while b.warmupMs.count < m.warmupRuns || Double(MonotonicClock.nanoseconds() - warmStart) / 1e9 < m.warmupSeconds {
            b.warmupMs.append(time(session.executor))
            if Interruption.requested { b.stopReason = "interrupted"; return b }
        }
        let rounds = max(1, m.rounds)
        let minimum = (m.minRepetitions + rounds - 1) / rounds
        let maximum = max(minimum, m.maxRepetitions / rounds)
        let seconds = m.maxSeconds / Double(rounds)
        let timedStart = MonotonicClock.nanoseconds()
        var nextCheck = minimum
        while true {
            b.samplesMs.append(time(session.executor))
            if Interruption.requested { b.stopReason = "interrupted"; break }
            let n = b.samplesMs.count
            if n >= maximum { b.stopReason = "max-repetitions"; break }
            if Double(MonotonicClock.nanoseconds() - timedStart) / 1e9 >= seconds && n >= 1 {
                b.stopReason = n >= minimum ? "time-cap" : "time-cap-before-minimum"
                break
            }
            // The CI target is checked on all of the point's samples so far: once it is met, each
            // remaining round still contributes its minimum share, so every round samples the point.
            if m.targetCI > 0 && n >= nextCheck {
                let stats = LatencyStatistics(samples: previous + b.samplesMs)
                if stats.ciRelativeHalfWidth <= m.targetCI { b.stopReason = "ci-target"; break }
                nextCheck = n + max(5, n / 10)
            }
        }
        if m.targetCI == 0 && b.stopReason == "max-repetitions" { b.stopReason = "fixed-repetitions" }
        b.seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        return b
    }
}
