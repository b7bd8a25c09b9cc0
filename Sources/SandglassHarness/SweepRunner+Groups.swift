// The comparison-group half of a sweep: an A/A test at the start (this machine's resolution,
// stored in the header), then every group measured as one (planned once, resident together,
// alternated cycle by cycle on one core by PairedGroup), and one record per point of the group
// when the group is done, all in one write: the baseline with its interleaved latencies, each
// candidate with its paired ratio to the baseline. A group interrupted or killed midway leaves no
// record and is measured again on --resume; records already written are never written twice.
import Foundation
import SandglassEngine
import SandglassProbes

/// What a measured point needs to become a record (shared by rounds and groups).
struct MeasuredPoint {
    var session: PointSession
    var samplesMs: [Double]
    var warmupMs: [Double]
    var warmupSeconds: Double
    var stopReason: String
    var rounds: Int
    var startedAt: Date
    var loadStart: [Double]?
    var frequencyStart: [Double?]?
    var coreToCoreBefore: Double?
    var temperatureStart: [String: Double]?
    var cooldownWaitSeconds: Double?
    var interleave: InterleaveMode?
    var paired: PairedRecord?
    var group: String?
    /// The host sampled between cycles (groups only).
    var drift: [DriftSample]?
    var warnings: [String] = []

    init(session: PointSession, samplesMs: [Double], warmupMs: [Double], warmupSeconds: Double, stopReason: String,
         rounds: Int, startedAt: Date, loadStart: [Double]?, frequencyStart: [Double?]?, coreToCoreBefore: Double?) {
        self.session = session; self.samplesMs = samplesMs; self.warmupMs = warmupMs; self.warmupSeconds = warmupSeconds
        self.stopReason = stopReason; self.rounds = rounds; self.startedAt = startedAt; self.loadStart = loadStart
        self.frequencyStart = frequencyStart; self.coreToCoreBefore = coreToCoreBefore
    }
}

extension SweepRunner {
    /// The A/A test: two independently planned copies of `point`, alternated like a group.
    func measureResolution(_ point: SweepPoint, seconds: Double) -> PairedResolution? {
        progress.log("resolution: A/A test of \(point.label) against an independently planned copy for \(SweepProgress.fixed(seconds, 0)) s")
        let affinity = CPUAffinity.current()
        defer { affinity.apply() }
        var settings = InterleavedMeasurement()
        settings.mode = spec.compare?.interleave ?? .inference
        settings.maxSeconds = seconds
        settings.target = 0
        settings.minCycles = 1
        settings.warmupCycles = min(spec.measurement.warmupRuns, 10)
        settings.seed = spec.measurement.seed &+ 0xA4A4
        do {
            let report = try PairedGroup.run(baseline: point, candidates: [], withAA: true, settings: settings,
                                             weightSeed: options.weightSeed)
            guard let r = report.resolution, r.pairs > 0 else { return nil }
            progress.log("resolution: ±\(SweepProgress.fixed(r.halfWidthPercent, 2))% (A/A ratio \(SweepProgress.fixed(r.ratio.median, 4)) [\(SweepProgress.fixed(r.ratio.ciLow, 4)), \(SweepProgress.fixed(r.ratio.ciHigh, 4))], \(r.pairs) pairs); effects within ±\(SweepProgress.fixed(r.limitPercent, 2))% are not called real")
            return r
        } catch {
            progress.log("warning: the A/A resolution test could not run: \(error)")
            return nil
        }
    }

    func measureGroups(_ groups: [ComparisonGroup], done: Set<String>, writer: ResultsWriter, topology: Topology?,
                       resolution: PairedResolution?) throws -> SweepOutcome {
        let m = spec.measurement
        let compare = spec.compare!
        let todo = groups.filter { !$0.points.allSatisfy { done.contains($0.id) } }
        let skipped = spec.points.filter { done.contains($0.id) }.count
        if skipped > 0 { progress.log("resuming: \(skipped) of \(spec.points.count) points already complete") }
        var completed = 0
        var warnings: [String] = []
        var interrupted = false
        var groupSeconds: [Double] = []
        var unresident: [SweepPoint] = []
        for (index, group) in todo.enumerated() {
            if Interruption.requested { interrupted = true; break }
            progress.starting(group.label, done: index, total: todo.count, round: 0, rounds: 1,
                              secondsPerBlock: groupSeconds.isEmpty ? nil : groupSeconds.reduce(0, +) / Double(groupSeconds.count))
            let affinity = CPUAffinity.current()
            defer { affinity.apply() }
            var cooldown: Double?
            if let celsius = m.cooldownBelowCelsius {
                if let wait = ThermalZones.coolDown(below: celsius) {
                    cooldown = wait.waited
                    if !wait.reached { progress.log("warning: \(group.label): still at or above \(celsius) °C after \(Int(wait.waited)) s of cool-down; measuring anyway") }
                } else {
                    progress.log("warning: cooldown-below-celsius is set, but this machine exposes no thermal zone: not waited")
                }
            }
            let c2cBefore = (try? PointSession.cpus(for: group.baseline)).flatMap { coreToCore(group.baseline, cpus: $0) }
            var sessions: [PointSession] = []
            let available = Self.availableMemory()
            do {
                var planned = 0
                for p in group.points {
                    sessions.append(try PointSession(p, seed: options.weightSeed))
                    planned += sessions.last!.plan.plannedBytes
                    if let problem = group.residencyProblem(plannedBytes: planned, models: sessions.count, availableBytes: available) {
                        throw GroupResidencyError(message: problem)
                    }
                }
            } catch let e as GroupResidencyError {
                sessions.removeAll()
                let message = "group \(group.label) is measured unpaired, one point at a time: \(e.message)"
                progress.log("warning: \(message)")
                for p in group.points { fallbackWarnings[p.id] = "measured unpaired, one point at a time: \(e.message)" }
                unresident += group.points
                continue
            } catch {
                let message = "group \(group.label) cannot run: \(error)"
                progress.log("error: \(message)")
                warnings.append(message)
                continue
            }
            let temperatureStart = ThermalZones.read()
            let start = Date()
            let loadStart = Environment.loadAverage()
            let freqStart = DriftLog.frequencies(sessions[0].cpus)
            var settings = InterleavedMeasurement()
            settings.mode = compare.interleave
            settings.warmupCycles = m.warmupRuns
            settings.minCycles = m.minRepetitions
            settings.maxCycles = m.maxRepetitions
            settings.maxSeconds = m.maxSeconds
            settings.target = m.targetCI
            settings.seed = m.seed &+ UInt64(index) &* 0x9E37_79B9
            let drift = DriftRecorder(for: sessions[0])
            settings.monitor = { drift.record(seconds: $0, cycles: $1) }
            let (report, result) = PairedGroup.measure(sessions, overrides: group.candidates.map(\.overrides), withAA: false,
                                                       settings: settings, resolution: resolution)
            if result.stopReason == "interrupted" { interrupted = true; break }
            groupSeconds.append(result.seconds)
            // Every record of the group first (per-layer passes included), then one write.
            var records: [PointRecord] = []
            for (i, session) in sessions.enumerated() where !done.contains(session.point.id) {
                var measured = MeasuredPoint(session: session, samplesMs: result.samplesMs[i], warmupMs: result.warmupMs[i],
                                             warmupSeconds: result.warmupMs[i].reduce(0, +) / 1000, stopReason: result.stopReason,
                                             rounds: 1, startedAt: start, loadStart: loadStart, frequencyStart: freqStart,
                                             coreToCoreBefore: c2cBefore)
                measured.temperatureStart = temperatureStart
                measured.cooldownWaitSeconds = cooldown
                measured.interleave = compare.interleave
                measured.group = "\(Self.iso(start)) #\(index + 1): \(group.baseline.id)"
                measured.warnings = report.warnings + DriftLog.warnings(drift.samples)
                measured.drift = drift.samples
                if i > 0 {
                    let candidate = report.candidates[i - 1]
                    measured.paired = PairedRecord(baseline: group.baseline.id, candidate)
                    measured.warnings += candidate.warnings
                }
                if done.contains(group.baseline.id) {
                    measured.warnings.append("measured again after an interrupted write; this group's baseline record in the file comes from an earlier session, so only the paired ratio (against the baseline measured with it) pairs")
                }
                records.append(complete(measured, topology: topology))
            }
            try writer.append(all: records)
            completed += records.count
            for record in records {
                let label = record.point.label
                record.warnings.forEach { progress.log("warning: \(label): \($0)") }
                let ci = record.paired.map { $0.ratio.halfWidth(relativeTo: 1) } ?? record.latencyMs.ciRelativeHalfWidth
                progress.finished(label + (record.paired.map { " ×\(SweepProgress.fixed($0.ratio.median, 4))" } ?? ""),
                                  medianMs: record.latencyMs.median, ci: ci, reason: result.stopReason)
            }
        }
        progress.done()
        return SweepOutcome(completed: completed, skipped: skipped, total: spec.points.count, interrupted: interrupted,
                            warnings: warnings, unresident: unresident)
    }

    /// A measured point's record: the per-layer pass (when asked for), environment, warnings.
    func complete(_ p: MeasuredPoint, topology: Topology?) -> PointRecord {
        let m = spec.measurement
        let session = p.session
        let point = session.point
        var perLayer: PerLayerSummary?
        var layers: [LayerRecord]?
        let iterations = m.perLayerIterations > 0 ? m.perLayerIterations : (point.counters != .none ? 20 : 0)
        var pointWarnings = p.warnings
        if let note = fallbackWarnings[point.id] { pointWarnings.append(note) }
        if iterations > 0 {
            do {
                let result = try PerLayerMeasurer.measure(session, iterations: iterations, topology: topology,
                                                          traceFolder: m.traceFolder)
                perLayer = result.0
                layers = result.1
                if let warning = PerLayerMeasurer.overheadWarning(result.0.overheadPairedPercent) { pointWarnings.append(warning) }
            } catch {
                pointWarnings.append("per-layer pass failed: \(error)")
            }
        }
        usleep(3000)   // let the pool's workers stop spinning before measuring the cores again
        let c2cAfter = coreToCore(point, cpus: session.cpus)
        let stats = LatencyStatistics(samples: p.samplesMs)
        if let c2c = [p.coreToCoreBefore, c2cAfter].compactMap({ $0 }).max(), c2c > slowCoreToCoreNs {
            let pair = coreToCorePair(session.cpus).map(String.init).joined(separator: " and ")
            pointWarnings.append("slow core-to-core placement: \(Int(c2c)) ns one way between CPUs \(pair) (fast placement is about 45 ns here); this multi-threaded result measures the host's vCPU placement too")
        }
        // A group's target is on its paired ratios; a lone point's on its own median.
        if p.interleave == nil && m.targetCI > 0 && stats.ciRelativeHalfWidth > m.targetCI {
            pointWarnings.append("noisy point: 95% CI of the median is ±\(SweepProgress.fixed(stats.ciRelativeHalfWidth * 100, 1))%, above the ±\(SweepProgress.fixed(m.targetCI * 100, 1))% target (\(p.stopReason))")
        }
        let temperatureEnd = ThermalZones.read()
        if let a = p.temperatureStart, let b = temperatureEnd {
            let moved = a.keys.compactMap { k in b[k].map { abs($0 - a[k]!) } }.max() ?? 0
            if moved >= 5 { pointWarnings.append("temperature moved by \(Int(moved.rounded())) °C during the measurement: the chip may have throttled") }
        }
        let freqEnd = DriftLog.frequencies(session.cpus)
        if let a = p.frequencyStart, let b = freqEnd {
            let moved = zip(a, b).compactMap { x, y -> Double? in
                guard let x, let y, x > 0 else { return nil }
                return abs(y - x) / x
            }.max() ?? 0
            if moved >= 0.05 { pointWarnings.append("CPU frequency moved by \(Int((moved * 100).rounded()))% during the measurement") }
        }
        let memory = ProcessMemory.current()
        let plan = session.plan
        var record = PointRecord(
            id: point.id, model: point.model, width: point.width, alpha: point.alpha, resolution: point.resolution,
            threads: point.threads, add: point.add, counters: point.counters, pin: point.pin, isa: point.isa,
            isaUsed: plan.isa.rawValue, fusion: point.fusion, board: options.board, latencyMs: stats, samplesMs: p.samplesMs,
            warmup: WarmupRecord(runs: p.warmupMs.count, seconds: p.warmupSeconds, firstMs: p.warmupMs.first,
                                 latencyMs: LatencyStatistics(samples: p.warmupMs)),
            outliers: OutlierCounts(samples: p.samplesMs), stopReason: p.stopReason, rounds: p.rounds,
            totals: session.totals,
            memory: MemoryRecord(packedWeightBytes: plan.packedWeightBytes, arenaBytes: plan.arenaBytes,
                                 plannedBytes: plan.plannedBytes, residentBytes: memory.residentBytes,
                                 peakResidentBytes: memory.peakResidentBytes),
            perLayer: perLayer, layers: layers,
            environment: PointEnvironment(startedAt: Self.iso(p.startedAt), durationSeconds: Date().timeIntervalSince(p.startedAt),
                                          loadAverageStart: p.loadStart, loadAverageEnd: Environment.loadAverage(),
                                          frequencyMHzStart: p.frequencyStart, frequencyMHzEnd: freqEnd,
                                          coreToCoreNsBefore: p.coreToCoreBefore, coreToCoreNsAfter: c2cAfter, cpus: session.cpus,
                                          temperatureCelsiusStart: p.temperatureStart, temperatureCelsiusEnd: temperatureEnd,
                                          cooldownWaitSeconds: p.cooldownWaitSeconds, drift: p.drift),
            warnings: pointWarnings)
        record.interleave = p.interleave?.description
        record.cacheState = p.interleave?.cacheState
        record.paired = p.paired
        record.group = p.group
        record.tuning = point.tuning
        record.dtype = point.dtype == .f32 ? nil : point.dtype
        record.environment.tuning = session.tuning.mode == .off ? nil : session.tuning
        return record
    }
}

extension SweepRunner {
    /// MemAvailable, or SANDGLASS_AVAILABLE_MEMORY (bytes) to act as a board with less memory
    /// than this machine: how the fallback of groups that cannot stay resident is tested.
    static func availableMemory() -> Int? {
        if let text = ProcessInfo.processInfo.environment["SANDGLASS_AVAILABLE_MEMORY"], let bytes = Int(text) { return bytes }
        return Environment.memoryAvailable()
    }
}

/// A group whose models do not fit in memory together (ComparisonGroup.residencyProblem).
struct GroupResidencyError: Error {
    var message: String
}
