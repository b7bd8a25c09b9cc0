// Runs a sweep. With comparison groups (`compare`), each group is measured as one, paired and
// interleaved (SweepRunner+Groups.swift), after an A/A test whose resolution goes into the
// header. Without, points in a seeded shuffled order (every round visits every unfinished point
// once), each measured by PointMeasurer. Either way: optional per-layer pass, environment at the
// point, one fsync'ed record per completed point (and per block when there are several rounds).
// Resumable: completed points are skipped and completed blocks reused.
import Foundation
import SandglassEngine
import SandglassProbes

public struct SweepOptions: Sendable {
    public var output: String
    public var resume = false
    public var force = false
    /// Board name recorded in every record (remote sweeps).
    public var board: String?
    public var progress: SweepProgress.Style = .auto
    /// Seed of the model weights (latency does not depend on them).
    public var weightSeed: UInt64 = 0
    /// Measure the machine's ceilings (peak FMA, bandwidths) before the points; quick is shorter.
    public var calibrate = true
    public var quickCalibration = false
    /// Measure even without a passing self-test (the header then says it was skipped).
    public var skipSelfTest = false

    public init(output: String) { self.output = output }
}

public struct SweepOutcome: Sendable {
    public var completed: Int
    public var skipped: Int
    public var total: Int
    public var interrupted: Bool
    public var warnings: [String]
    /// Points of groups that could not stay resident, left to the unpaired protocol.
    public var unresident: [SweepPoint] = []
}

/// Fast placement between two cores is about 45 ns one way here; far above that, a 2-thread
/// result measures the hypervisor's placement as much as the engine.
public let slowCoreToCoreNs = 100.0

public final class SweepRunner {
    public let spec: SweepSpec
    public let options: SweepOptions
    let progress: SweepProgress
    /// Points of groups that could not stay resident, with why (put in their records).
    var fallbackWarnings: [String: String] = [:]

    public init(spec: SweepSpec, options: SweepOptions) {
        self.spec = spec
        self.options = options
        progress = SweepProgress(style: options.progress)
    }

    /// A seeded permutation of 0..<count (Fisher-Yates with SplitMix64).
    public static func shuffledOrder(count: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var random = SeededRandom(seed: seed)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(random.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        return order
    }

    public func run() throws -> SweepOutcome {
        guard !spec.points.isEmpty else { throw ResultsError("the sweep '\(spec.name)' has no points") }
        // Before anything is written (so a refused sweep leaves an existing file as it was).
        let selfTest = SelfTestGate.check(isas: SelfTestGate.isas(for: spec.points), skip: options.skipSelfTest)
        guard selfTest.passed || options.skipSelfTest else { throw ResultsError(SelfTestGate.refusal(selfTest)) }
        progress.log(selfTest.summary)
        let path = options.output
        var existing = ResultsContents()
        var truncate: Int?
        let exists = FileManager.default.fileExists(atPath: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if exists && size > 0 {
            if options.resume {
                existing = try ResultsFile.read(path)
                existing.warnings.forEach { progress.log("warning: \($0)") }
                if existing.tornBytes > 0 { truncate = existing.validLength }
            } else if options.force {
                truncate = 0
            } else {
                throw ResultsError("\(path) already holds results: pass --resume to continue that sweep, or --force to overwrite it")
            }
        } else if options.resume && !exists {
            progress.log("\(path) does not exist yet: starting a new sweep")
        }
        let writer = try ResultsWriter(path: path, truncateTo: truncate)
        Interruption.install()

        let environment = Environment.capture()
        let topology = try? HwlocTopology.load()
        environment.warnings.forEach { progress.log("warning: \($0)") }
        // A file may hold several boards' records: only this board's points are done here.
        let done = Set(existing.points.filter { $0.board == options.board }.map(\.id))
        let groups: [ComparisonGroup]?
        do { groups = try spec.groups() } catch let e as SweepValueError { throw ResultsError(e.message) }
        let startedAt = Self.now()
        var resolution: PairedResolution?
        if let groups, let compare = spec.compare, compare.resolutionSeconds > 0,
           let first = groups.first(where: { !$0.points.allSatisfy { done.contains($0.id) } }) {
            resolution = measureResolution(first.baseline, seconds: compare.resolutionSeconds)
        }
        try writer.append(HeaderRecord(sweep: spec, environment: environment, startedAt: startedAt,
                                       resumed: options.resume && !existing.headers.isEmpty, board: options.board,
                                       resolution: resolution, selftest: selfTest))
        if options.calibrate && existing.calibrations.isEmpty && !Interruption.requested {
            progress.log("calibrating: peak FMA throughput and bandwidth per cache level")
            try writer.append(MachineCalibration.run(quick: options.quickCalibration, board: options.board))
        }
        var outcome: SweepOutcome
        let existingBlocks = existing.blocks.filter { $0.board == options.board }
        if let groups {
            outcome = try measureGroups(groups, done: done, writer: writer, topology: topology, resolution: resolution)
            // Groups too large to stay resident: their points one at a time, unpaired (in rounds).
            if !outcome.unresident.isEmpty && !outcome.interrupted {
                progress.log("measuring the \(outcome.unresident.count) points of groups that cannot stay resident one at a time, unpaired")
                let rest = try measurePoints(outcome.unresident, done: done, existingBlocks: existingBlocks, writer: writer,
                                             topology: topology)
                outcome.completed += rest.completed
                outcome.interrupted = rest.interrupted
                outcome.warnings += rest.warnings
            }
        } else {
            outcome = try measurePoints(spec.points, done: done, existingBlocks: existingBlocks, writer: writer, topology: topology)
        }
        try writer.append(EndRecord(finishedAt: Self.now(), completedPoints: outcome.skipped + outcome.completed,
                                    totalPoints: spec.points.count, interrupted: outcome.interrupted,
                                    loadAverage: Environment.loadAverage(), board: options.board))
        return outcome
    }

    /// The unpaired protocol: `points` in a seeded shuffled order, every round visiting every
    /// unfinished point once; blocks already in the file are reused.
    func measurePoints(_ points: [SweepPoint], done: Set<String>, existingBlocks: [BlockRecord], writer: ResultsWriter,
                       topology: Topology?) throws -> SweepOutcome {
        var blocks: [String: [Int: BlockRecord]] = [:]
        for b in existingBlocks { blocks[b.id, default: [:]][b.round] = b }
        let m = spec.measurement
        let rounds = max(1, m.rounds)
        let todo = points.filter { !done.contains($0.id) }
        let skipped = points.count - todo.count
        if skipped > 0 { progress.log("resuming: \(skipped) of \(points.count) points already complete") }

        let totalBlocks = todo.reduce(0) { total, p in total + (0..<rounds).filter { blocks[p.id]?[$0] == nil }.count }
        var blocksDone = 0
        var blockSeconds: [Double] = []
        var completed = 0
        var warnings: [String] = []
        var interrupted = false

        roundLoop: for round in 0..<rounds {
            let order = SweepRunner.shuffledOrder(count: todo.count, seed: m.seed &+ UInt64(round) &* 0x9E37_79B9)
            for index in order {
                let point = todo[index]
                if blocks[point.id]?[round] != nil { continue }
                progress.starting(point.label, done: blocksDone, total: totalBlocks, round: round, rounds: rounds,
                                  secondsPerBlock: blockSeconds.isEmpty ? nil : blockSeconds.reduce(0, +) / Double(blockSeconds.count))
                let affinity = CPUAffinity.current()
                defer { affinity.apply() }
                // Core-to-core latency before the point's threads exist (they would compete).
                let c2cBefore = (try? PointSession.cpus(for: point)).flatMap { coreToCore(point, cpus: $0) }
                let session: PointSession
                do { session = try PointSession(point, seed: options.weightSeed) } catch {
                    let message = "point \(point.label) cannot run: \(error)"
                    progress.log("error: \(message)")
                    warnings.append(message)
                    continue
                }
                var cooldown: Double?
                if let celsius = m.cooldownBelowCelsius, let wait = ThermalZones.coolDown(below: celsius) { cooldown = wait.waited }
                let temperatureStart = ThermalZones.read()
                let pointStart = Date()
                let loadStart = Environment.loadAverage()
                let freqStart = DriftLog.frequencies(session.cpus)
                let previous = (0..<round).flatMap { blocks[point.id]?[$0]?.samplesMs ?? [] }
                let b = PointMeasurer.measureBlock(session, settings: m, previous: previous)
                if b.stopReason == "interrupted" { interrupted = true; break roundLoop }
                let block = BlockRecord(id: point.id, round: round, samplesMs: b.samplesMs, warmupMs: b.warmupMs,
                                        durationSeconds: b.seconds, board: options.board)
                blocks[point.id, default: [:]][round] = block
                if rounds > 1 { try writer.append(block) }
                blocksDone += 1
                blockSeconds.append(b.seconds)
                guard round == rounds - 1 else { continue }

                // The point is complete: per-layer pass, environment, record.
                let all = (0..<rounds).compactMap { blocks[point.id]?[$0] }
                let samples = all.flatMap(\.samplesMs)
                let warm = all.flatMap(\.warmupMs)
                var measured = MeasuredPoint(session: session, samplesMs: samples, warmupMs: warm,
                                             warmupSeconds: all.reduce(0) { $0 + Double($1.warmupMs.reduce(0, +)) / 1000 },
                                             stopReason: b.stopReason, rounds: rounds, startedAt: pointStart,
                                             loadStart: loadStart, frequencyStart: freqStart, coreToCoreBefore: c2cBefore)
                measured.temperatureStart = temperatureStart
                measured.cooldownWaitSeconds = cooldown
                let record = complete(measured, topology: topology)
                let stats = record.latencyMs
                let pointWarnings = record.warnings
                try writer.append(record)
                completed += 1
                pointWarnings.forEach { progress.log("warning: \(point.label): \($0)") }
                progress.finished(point.label, medianMs: stats.median, ci: stats.ciRelativeHalfWidth, reason: b.stopReason)
            }
        }
        progress.done()
        return SweepOutcome(completed: completed, skipped: skipped, total: spec.points.count, interrupted: interrupted,
                            warnings: warnings)
    }

    /// One-way latency between the first two CPUs a multi-threaded point uses (its pinned
    /// CPUs, else the first two it may run on).
    func coreToCore(_ point: SweepPoint, cpus pinned: [Int]) -> Double? {
        guard point.threads > 1 else { return nil }
        let cpus = coreToCorePair(pinned)
        guard cpus.count == 2 else { return nil }
        return CoreToCoreLatency.measure(between: cpus[0], and: cpus[1])
    }

    func coreToCorePair(_ pinned: [Int]) -> [Int] {
        pinned.count >= 2 ? Array(pinned.prefix(2)) : Array(CPUAffinity.current().cpus.prefix(2))
    }

    static func now() -> String { iso(Date()) }
    static func iso(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }
}
