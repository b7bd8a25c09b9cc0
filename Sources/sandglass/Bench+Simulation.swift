// The sim backend for `bench --counters sim` (SimulatedCounters in the harness holds both
// halves). The parent reruns this very command under callgrind; that child plans the same
// model and runs the collected inference.
import SandglassEngine
import SandglassHarness
import SandglassProbes

extension Sandglass.Bench {
    /// Parent side: runs this command under callgrind and returns its per-step dumps.
    func simulate(plan: Plan, topology: Topology?, cpu: Int) throws -> CallgrindSession.Result {
        do {
            return try SimulatedCounters.simulate(plan: plan, topology: topology, cpu: cpu,
                                                  childArguments: Array(CommandLine.arguments.dropFirst()))
        } catch let e as ResultsError { throw CommandFailure(e.message) }
    }

    /// Child side, under callgrind: the same plan, one warm-up, one collected inference.
    func runSimulatedChild(directory: String, selection: CounterSelection) throws {
        guard selection == .sim else {
            throw CommandFailure("\(CallgrindSession.childVariable) is set but --counters is not sim; unset it")
        }
        let loaded = try model.load()
        let plan = try Planner.plan(loaded.graph, options: try planOptions(for: selection))
        plan.setRandomInput(seed: loaded.spec?.seed ?? 0)
        do { try SimulatedCounters.runChild(plan: plan, directory: directory) } catch let e as ResultsError { throw CommandFailure(e.message) }
    }
}
