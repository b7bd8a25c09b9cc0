// The per-layer half of `bench`: the harness's per-layer pass (PerLayerMeasurer.run, the same
// one sweep points use) with this command's warm-up and iterations, plus the shortcut blocks'
// cache residency. For --counters sim the child under callgrind is this very command.
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

    func measurePerLayer(_ session: PointSession, topology: Topology?) throws -> PerLayerResult {
        let run: PerLayerRun
        let host = DriftRecorder(for: session)
        do {
            run = try PerLayerMeasurer.run(session, warmup: warmup, iterations: iterations, topology: topology,
                                           simulationChild: Array(CommandLine.arguments.dropFirst()), window: try window(),
                                           host: host, timeline: trace != nil)
            if let trace {
                let events = ChromeTrace.events(plan: session.plan, run: run, title: "\(session.modelName) (\(session.point.label))",
                                                host: host.samples, hostStartNanoseconds: host.startNanoseconds)
                try ChromeTrace.write(events, to: trace)
            }
        } catch let e as ResultsError { throw CommandFailure(e.message) }
        let simulation = run.simulation.map {
            Simulation(tool: $0.valgrindVersion, geometry: $0.geometry, warmupRuns: 1, simulatedRuns: 1, wallSeconds: $0.wallSeconds)
        }
        let cpu = session.cpus.first ?? ThreadPinning.currentCPU
        return PerLayerResult(measurement: run.measurement, profile: run.profile, simulation: simulation,
                              shortcuts: ShortcutResidency.blocks(of: session.plan, topology: topology, cpu: cpu))
    }
}
