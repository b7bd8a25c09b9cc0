// The per-layer pass of a sweep point: the same machinery as `bench --per-layer` (a counter
// session on the benchmark thread, a LayerProbe, uninstrumented and instrumented runs
// interleaved), turned into the results file's layer records: time, analytic counts, counters
// with provenance and, where the PMU or simulator gives it, measured memory traffic.
// `sim` points take their counters from the hidden `sim-child` command run under callgrind with
// the point (SimulatedCounters.swift).
import Foundation
import SandglassEngine
import SandglassProbes

public enum PerLayerMeasurer {
    public static func measure(_ session: PointSession, iterations: Int, topology: Topology?) throws
        -> (PerLayerSummary, [LayerRecord]) {
        let selection = session.point.counters
        if selection == .sim { return try simulated(session, iterations: iterations, topology: topology) }
        let plan = session.plan
        let counters = CounterSession.open(selection, pinnedCPUs: session.cpus.isEmpty ? nil : session.cpus)
        let probe = LayerProbe(steps: plan.steps.count, sources: counters.sources, expectedRuns: iterations)
        let measured = PerLayerBenchmark(warmup: 2, iterations: iterations).measure(session.executor, probe: probe)
        let cpu = session.cpus.first ?? ThreadPinning.currentCPU
        let profile = PerLayerProfile(
            plan: plan, measurement: measured, probe: probe,
            counters: PerLayerProfile.Counters(backend: selection.backendName, events: counters.events,
                                               presetFamily: counters.presetFamily, notes: counters.notes,
                                               snapshotNanoseconds: nil),
            traffic: counters.traffic, readings: { probe.readings(of: $0) },
            lineBytes: { level in topology?.dataCache(level: level, forCPU: cpu)?.lineBytes ?? 64 })
        return (summary(profile, iterations: iterations), records(profile, plan: plan))
    }

    static func summary(_ p: PerLayerProfile, iterations: Int) -> PerLayerSummary {
        PerLayerSummary(iterations: iterations, endToEndMs: p.endToEndMs, sumOfLayersMs: p.perLayerSumMs,
                        overheadPercent: p.overheadPercent, counterBackend: p.counters.backend,
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
                               counters: counters)
        }
    }

    /// Layer times from native runs, counters from one inference under callgrind, run by the
    /// hidden `sim-child` command with this point.
    static func simulated(_ session: PointSession, iterations: Int, topology: Topology?) throws -> (PerLayerSummary, [LayerRecord]) {
        let plan = session.plan
        let probe = LayerProbe(steps: plan.steps.count, sources: [], expectedRuns: iterations)
        let measured = PerLayerBenchmark(warmup: 2, iterations: max(2, iterations)).measure(session.executor, probe: probe)
        let cpu = session.cpus.first ?? ThreadPinning.currentCPU
        let simulated = try SimulatedCounters.simulate(plan: plan, topology: topology, cpu: cpu,
                                                       childArguments: try SimulatedCounters.childArguments(for: session.point))
        let dumps = simulated.dumps
        let geometry = simulated.geometry
        let profile = PerLayerProfile(
            plan: plan, measurement: measured, probe: probe,
            counters: PerLayerProfile.Counters(backend: "sim", events: CallgrindDumps.reportedEvents(dumps.events),
                                               presetFamily: nil, notes: [SimulatedCounters.note(simulated)],
                                               snapshotNanoseconds: nil),
            traffic: CallgrindDumps.traffic, readings: { dumps.readings(step: $0) },
            lineBytes: { $0 == 1 ? geometry.data.lineBytes : geometry.lastLevel.lineBytes })
        return (summary(profile, iterations: iterations), records(profile, plan: plan))
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
