// The per-layer half of `bench`: counters opened on the (pinned) benchmark thread, interleaved
// uninstrumented and instrumented runs, then the profile with each step's counters, from the
// probe or, for --counters sim, from callgrind's dumps of the same plan.
import SandglassEngine
import SandglassHarness
import SandglassProbes

extension Sandglass.Bench {
    struct PerLayerResult {
        var measurement: PerLayerBenchmark.Measurement
        var profile: PerLayerProfile
        var simulation: Simulation?
        var shortcuts: [ShortcutResidency]
    }

    /// `cpu`: where the benchmark thread runs (whose caches the report uses).
    func measurePerLayer(plan: Plan, executor: Executor, selection: CounterSelection, topology: Topology?,
                         cpu: Int, pinnedCPUs: [Int]?) throws -> PerLayerResult {
        let session = CounterSession.open(selection, pinnedCPUs: pinnedCPUs)
        let probe = LayerProbe(steps: plan.steps.count, sources: session.sources, expectedRuns: iterations)
        let measured = PerLayerBenchmark(warmup: warmup, iterations: iterations).measure(executor, probe: probe)

        var events = session.events
        var traffic = session.traffic
        var notes = session.notes
        var readings: (Int) -> CounterReadings = { probe.readings(of: $0) }
        var lineBytes: (Int) -> Int = { level in topology?.dataCache(level: level, forCPU: cpu)?.lineBytes ?? 64 }
        var simulation: Simulation?
        if selection == .sim {
            let simulated = try simulate(plan: plan, topology: topology, cpu: cpu)
            let dumps = simulated.dumps
            let geometry = simulated.geometry
            events = CallgrindDumps.reportedEvents(dumps.events)
            traffic = CallgrindDumps.traffic
            readings = { dumps.readings(step: $0) }
            lineBytes = { $0 == 1 ? geometry.data.lineBytes : geometry.lastLevel.lineBytes }
            notes.append("\(simulated.valgrindVersion) callgrind with --cache-sim=yes (\(geometry.options.joined(separator: " "))); one simulated inference after one uncollected warm-up, counts per inference; layer times are from the native run")
            simulation = Simulation(tool: simulated.valgrindVersion, geometry: geometry, warmupRuns: 1, simulatedRuns: 1,
                                    wallSeconds: simulated.wallSeconds)
        }
        // What one boundary costs explains the overhead (measured after the runs).
        let words = session.sources.reduce(0) { $0 + $1.snapshotWords }
        let snapshot = words == 0 ? nil : SnapshotCost.measure(session.sources)
        if let snapshot {
            notes.append("one snapshot of the counters costs \(Int(snapshot.rounded())) ns; \(plan.steps.count + 1) per inference")
        }
        let counters = PerLayerProfile.Counters(backend: selection.backendName, events: events, presetFamily: session.presetFamily,
                                                notes: notes, snapshotNanoseconds: snapshot)
        let profile = PerLayerProfile(plan: plan, measurement: measured, probe: probe, counters: counters, traffic: traffic,
                                      readings: readings, lineBytes: lineBytes)
        return PerLayerResult(measurement: measured, profile: profile, simulation: simulation,
                              shortcuts: ShortcutResidency.blocks(of: plan, topology: topology, cpu: cpu))
    }
}
