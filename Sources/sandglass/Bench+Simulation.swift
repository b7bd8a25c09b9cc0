// The sim backend's two halves. The parent (the user's `bench --counters sim`) measures time
// natively as usual, then runs itself again under callgrind; that child plans the same model,
// runs one uncollected warm-up inference and one inference with every step dumped, and exits.
import SandglassEngine
import SandglassProbes

extension Sandglass.Bench {
    /// Parent side: runs this command under callgrind and returns its per-step dumps.
    func simulate(plan: Plan, topology: Topology?, cpu: Int) throws -> CallgrindSession.Result {
        guard let topology else {
            throw CommandFailure("--counters sim needs the cache geometry from hwloc, which could not load the topology")
        }
        let geometry: CallgrindCacheGeometry
        do { geometry = try CallgrindCacheGeometry.from(topology, cpu: cpu) } catch { throw CommandFailure("\(error)") }
        let result: CallgrindSession.Result
        do {
            result = try CallgrindSession.run(arguments: Array(CommandLine.arguments.dropFirst()), geometry: geometry)
        } catch {
            throw CommandFailure("--counters sim: \(error)")
        }
        let names = plan.steps.map(\.name)
        guard result.stepNames == names else {
            throw CommandFailure("--counters sim: the process under callgrind planned \(result.stepNames.count) steps, this one \(names.count); they must match (same flags, deterministic planner)")
        }
        return result
    }

    /// Child side, under callgrind: the same plan, one warm-up, one collected inference.
    func runSimulatedChild(directory: String, selection: CounterSelection) throws {
        guard selection == .sim else {
            throw CommandFailure("\(CallgrindSession.childVariable) is set but --counters is not sim; unset it")
        }
        guard CallgrindProbe.isActive else {
            throw CommandFailure("\(CallgrindSession.childVariable) is set but this process is not running under callgrind (or was built without valgrind's headers)")
        }
        let loaded = try model.load()
        let plan = try Planner.plan(loaded.graph, options: try planOptions(for: selection))
        plan.setRandomInput(seed: loaded.spec?.seed ?? 0)
        guard writeTextFile(CallgrindSession.stepsFile(in: directory), plan.steps.map(\.name).joined(separator: "\n")) else {
            throw CommandFailure("cannot write \(CallgrindSession.stepsFile(in: directory))")
        }
        let executor = Executor(plan: plan)
        executor.run()
        executor.run(probe: CallgrindProbe())
    }
}
