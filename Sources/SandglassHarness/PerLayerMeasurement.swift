// The per-layer pass, shared by `bench --per-layer` and sweep points (a counter session on the
// benchmark thread, a LayerProbe, uninstrumented and instrumented runs interleaved), and for
// sweeps its conversion into the results file's layer records: time, analytic counts, counters
// with provenance and, where the PMU or simulator gives it, measured memory traffic.
// `sim` points take their counters from the hidden `sim-child` command run under callgrind with
// the point (SimulatedCounters.swift).
import Foundation
import SandglassEngine
import SandglassProbes

/// What one per-layer pass produced: the paired uninstrumented/instrumented runs, the profile
/// and, for sim, the simulation that gave its counts.
public struct PerLayerRun {
    public var measurement: PerLayerBenchmark.Measurement
    /// The probe of the instrumented runs (their timeline, for traces).
    public var probe: LayerProbe
    public var profile: PerLayerProfile
    public var simulation: CallgrindSession.Result?
}

public enum PerLayerMeasurer {
    /// The one per-layer pass, for `bench --per-layer` and sweep points: a counter session on the
    /// (pinned) benchmark thread, a LayerProbe, uninstrumented and instrumented runs interleaved;
    /// for sim, layer times from those native runs and counts from one inference under callgrind,
    /// run as `simulationChild` (default: the hidden `sim-child` command with this point).
    /// `window`: steps whose counters each instrumented run reads (nil: chosen from the measured
    /// cost of a snapshot in place, so that they cost under 0.3% of an inference; rotating over the runs).
    public static func run(_ session: PointSession, warmup: Int, iterations: Int, topology: Topology?,
                           simulationChild: [String]? = nil, window requestedWindow: Int? = nil,
                           host: DriftRecorder? = nil, timeline: Bool = false) throws -> PerLayerRun {
        let selection = session.point.counters
        let plan = session.plan
        let cpu = session.cpus.first ?? ThreadPinning.currentCPU
        let counters = CounterSession.open(selection, pinnedCPUs: session.cpus.isEmpty ? nil : session.cpus)
        let probe = LayerProbe(steps: plan.steps.count, sources: counters.sources, expectedRuns: iterations,
                               recordsTimeline: timeline)
        var notes = counters.notes
        // What one boundary costs in place, between real layers, decides the window; the
        // tight-loop figure beside it shows how much the layers' working sets add.
        let words = counters.sources.reduce(0) { $0 + $1.snapshotWords }
        let tightLoop = words == 0 ? nil : SnapshotCost.measure(counters.sources)
        let pilot = words == 0 ? nil : SnapshotCost.measurePaired(counters.sources, executor: session.executor)
        let snapshot = pilot?.perSnapshot
        if let snapshot, let tightLoop, let pilot {
            let steps = plan.steps.count
            let window: Int
            if let requestedWindow {
                window = max(1, min(steps, requestedWindow))
            } else {
                session.executor.run()
                let t0 = MonotonicClock.nanoseconds()
                session.executor.run()
                let inferenceMs = Double(MonotonicClock.nanoseconds() - t0) / 1e6
                window = LayerProbe.window(steps: steps, runs: iterations, snapshotNanoseconds: snapshot, inferenceMs: inferenceMs)
            }
            probe.window = window
            let share = window >= steps ? "every step of every instrumented inference"
                : "a window of \(window) of \(steps) steps per instrumented inference, moved on by \(window) steps each run (rotating)"
            let cost = "one snapshot of the counters costs an inference \(Int(snapshot.rounded())) ns (paired pilot; the read itself \(Int(pilot.inPlace.rounded())) ns between layers, \(Int(tightLoop.rounded())) ns in a tight loop)"
            notes.append(cost + "; counters read around " + share + ", \(min(window, steps) + 1) snapshots per inference")
        }
        host?.recordNow(cycles: 0)
        let measured = PerLayerBenchmark(warmup: warmup, iterations: iterations).measure(session.executor, probe: probe)
        host?.recordNow(cycles: iterations)
        let paths = counters.sources.compactMap(\.readPath)
        var readPath: String? = paths.isEmpty ? nil : paths.joined(separator: "; ")
        var events = counters.events
        var traffic = counters.traffic
        var samples: ((Int) -> Int)? = words == 0 ? nil : { probe.counterSamples(of: $0) }
        var readings: (Int) -> CounterReadings = { probe.readings(of: $0) }
        var lineBytes: (Int) -> Int = { level in topology?.dataCache(level: level, forCPU: cpu)?.lineBytes ?? 64 }
        var simulation: CallgrindSession.Result?
        if selection == .sim {
            let child = try simulationChild ?? SimulatedCounters.childArguments(for: session.point)
            let simulated = try SimulatedCounters.simulate(plan: plan, topology: topology, cpu: cpu, childArguments: child)
            let dumps = simulated.dumps
            let geometry = simulated.geometry
            events = CallgrindDumps.reportedEvents(dumps.events)
            traffic = CallgrindDumps.traffic
            readings = { dumps.readings(step: $0) }
            lineBytes = { $0 == 1 ? geometry.data.lineBytes : geometry.lastLevel.lineBytes }
            notes.append(SimulatedCounters.note(simulated))
            simulation = simulated
            samples = { _ in 1 }
            readPath = nil
        }
        if let samples {
            let fewest = plan.steps.indices.map(samples).min() ?? 0
            if fewest == 0 { notes.append("some steps got no counter sample: raise the iterations or widen the window") }
        }
        let profile = PerLayerProfile(
            plan: plan, measurement: measured, probe: probe,
            counters: PerLayerProfile.Counters(backend: selection.backendName, events: events, presetFamily: counters.presetFamily,
                                               notes: notes, snapshotNanoseconds: snapshot,
                                               snapshotCallNanoseconds: pilot?.inPlace, snapshotTightLoopNanoseconds: tightLoop,
                                               readPath: readPath),
            traffic: traffic, readings: readings, lineBytes: lineBytes, counterSamples: samples)
        return PerLayerRun(measurement: measured, probe: probe, profile: profile, simulation: simulation)
    }

    /// Said when the paired overhead is above 1% beyond doubt (its CI's lower end above 1%).
    public static func overheadWarning(_ overhead: MedianCI?) -> String? {
        guard let o = overhead, o.ciLow > 1 else { return nil }
        return "per-layer instrumentation costs +\(SweepProgress.fixed(o.median, 2))% [+\(SweepProgress.fixed(o.ciLow, 2))%, +\(SweepProgress.fixed(o.ciHigh, 2))%] (paired), above 1%: per-layer times include it"
    }

    /// A sweep point's per-layer records; with `traceFolder`, its trace in there too (named by
    /// the point's id).
    public static func measure(_ session: PointSession, iterations: Int, topology: Topology?, traceFolder: String? = nil) throws
        -> (PerLayerSummary, [LayerRecord]) {
        let host = DriftRecorder(for: session)
        let run = try run(session, warmup: 2, iterations: max(2, iterations), topology: topology, host: host,
                          timeline: traceFolder != nil)
        if let traceFolder {
            try? FileManager.default.createDirectory(atPath: traceFolder, withIntermediateDirectories: true)
            let name = String(session.point.id.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
            let events = ChromeTrace.events(plan: session.plan, run: run, title: session.point.label, host: host.samples,
                                            hostStartNanoseconds: host.startNanoseconds)
            try ChromeTrace.write(events, to: traceFolder + "/" + name + ".trace.json")
        }
        return (summary(run.profile, iterations: iterations), records(run.profile, plan: session.plan))
    }

    static func summary(_ p: PerLayerProfile, iterations: Int) -> PerLayerSummary {
        PerLayerSummary(iterations: iterations, endToEndMs: p.endToEndMs, sumOfLayersMs: p.perLayerSumMs,
                        overheadPercent: p.overheadPercent, overheadPairedPercent: p.overheadPairedPercent,
                        counterBackend: p.counters.backend,
                        counterEvents: p.counters.events, counterNotes: p.counters.notes)
    }

    /// Layer records from a profile: counters as {value, provenance} or {unavailable}, plus
    /// `memoryTrafficBytes`, the deepest level's measured traffic where counters give it.
    static func records(_ p: PerLayerProfile, plan: Plan) -> [LayerRecord] { records(p.layers, plan: plan) }

    static func records(_ layers: [PerLayerProfile.Layer], plan: Plan) -> [LayerRecord] {
        zip(plan.steps, layers).map { step, layer in
            var counters: [String: CounterValue] = [:]
            for (name, reading) in layer.counters.entries { counters[name] = CounterValue(reading) }
            if let deepest = layer.memoryTraffic.measured.last {
                counters["memoryTrafficBytes"] = CounterValue(deepest.bytes, note: deepest.level)
            }
            return LayerRecord(name: step.name, op: step.op, kernel: step.kernel, timeMs: layer.timeMs,
                               madds: step.counts.madds, shortcutAdds: step.counts.shortcutAdds,
                               weightBytes: step.counts.weightBytes, bytesRead: step.counts.bytesRead,
                               bytesWritten: step.counts.bytesWritten, identityBytes: step.counts.identityBytes,
                               counters: counters, counterSamples: layer.counterSamples,
                               unfusedBytes: step.chain?.unfusedBytes)
        }
    }
}

extension CounterValue {
    /// From a probe reading; `note` (e.g. the cache level of a traffic figure) is kept with it.
    init(_ reading: CounterReading, note: String? = nil) {
        switch reading {
        case let .value(v, provenance, fraction):
            self.init(value: v, provenance: provenance.rawValue)
            runningFraction = fraction
            level = note
        case let .unavailable(reason):
            self.init(unavailable: reason)
            level = note
        }
    }
}
