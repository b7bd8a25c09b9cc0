// The child side of `bench --counters sim` (SimulatedCounters in the harness holds both halves):
// the parent's per-layer pass reruns this very command under callgrind, and that child plans the
// same model and runs the collected inference.
import SandglassEngine
import SandglassHarness
import SandglassProbes

extension Sandglass.Bench {
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
