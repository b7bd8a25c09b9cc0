// The sim counter backend's two halves, shared by `bench --counters sim` and sweep points with
// `counters: sim`. The parent measures time natively as usual, then runs a child under
// callgrind; the child plans the same model, runs one uncollected warm-up inference and one
// inference with every step dumped, and exits. Sweeps start the child with the hidden command
// `sandglass sim-child --point <JSON>` (the point encoded as results files encode it), so the
// child plans exactly the point, with nothing to translate back into command-line flags.
import Foundation
import SandglassEngine
import SandglassProbes

public enum SimulatedCounters {
    /// The hidden command's name and its arguments for one point.
    public static let childCommand = "sim-child"

    public static func childArguments(for point: SweepPoint) throws -> [String] {
        let data = try JSONEncoder().encode(point)
        return [childCommand, "--point", String(decoding: data, as: UTF8.self)]
    }

    public static func decodePoint(_ json: String) throws -> SweepPoint {
        do { return try JSONDecoder().decode(SweepPoint.self, from: Data(json.utf8)) } catch {
            throw ResultsError("\(childCommand) --point: not a sweep point encoded as JSON (\(error))")
        }
    }

    /// Callgrind with --cache-sim runs one thread, and valgrind 3.19 cannot decode AVX-512.
    /// The ISA a sim point runs with: `auto` means AVX2 on x86-64.
    public static func simulatedISA(_ requested: ISA?, threads: Int) throws -> ISA? {
        guard threads == 1 else {
            throw ParameterError("--counters sim runs one thread (callgrind serialises threads, and the pool's spin-waits would make counts differ between runs); use --threads 1")
        }
        #if arch(x86_64)
        let isa = requested ?? .avx2
        guard isa == .avx2 else { throw ParameterError("--counters sim needs --isa avx2: valgrind 3.19 cannot decode AVX-512 instructions") }
        return isa
        #else
        return requested
        #endif
    }

    /// Parent side: runs this executable with `childArguments` under callgrind, with the cache
    /// geometry of `cpu`, and checks that the child planned the same steps as `plan`.
    public static func simulate(plan: Plan, topology: Topology?, cpu: Int, childArguments: [String]) throws -> CallgrindSession.Result {
        guard let topology else {
            throw ResultsError("--counters sim needs the cache geometry from hwloc, which could not load the topology")
        }
        let geometry: CallgrindCacheGeometry
        do { geometry = try CallgrindCacheGeometry.from(topology, cpu: cpu) } catch { throw ResultsError("\(error)") }
        let result: CallgrindSession.Result
        do { result = try CallgrindSession.run(arguments: childArguments, geometry: geometry) } catch {
            throw ResultsError("--counters sim: \(error)")
        }
        let names = plan.steps.map(\.name)
        guard result.stepNames == names else {
            throw ResultsError("--counters sim: the process under callgrind planned \(result.stepNames.count) steps, this one \(names.count); they must match (same parameters, deterministic planner)")
        }
        return result
    }

    /// Child side, under callgrind: write the plan's step names, one warm-up, one collected inference.
    public static func runChild(plan: Plan, directory: String) throws {
        guard CallgrindProbe.isActive else {
            throw ResultsError("\(CallgrindSession.childVariable) is set but this process is not running under callgrind (or was built without valgrind's headers)")
        }
        let file = CallgrindSession.stepsFile(in: directory)
        guard writeTextFile(file, plan.steps.map(\.name).joined(separator: "\n")) else { throw ResultsError("cannot write \(file)") }
        let executor = Executor(plan: plan)
        executor.run()
        executor.run(probe: CallgrindProbe())
    }

    /// The hidden command's body: plan the point as a sweep does and run the child side.
    public static func runChild(point: SweepPoint) throws {
        guard let directory = CallgrindSession.childDirectory else {
            throw ResultsError("\(childCommand) is run by sweeps under callgrind (\(CallgrindSession.childVariable) unset); use 'sandglass bench --counters sim' instead")
        }
        guard point.counters == .sim else { throw ResultsError("\(childCommand): the point's counters must be sim (got \(point.counters))") }
        var unpinned = point
        unpinned.pin = .none
        let session = try PointSession(unpinned)
        try runChild(plan: session.plan, directory: directory)
    }

    /// Notes and facts for a profile whose counters came from a simulation.
    public static func note(_ r: CallgrindSession.Result) -> String {
        "\(r.valgrindVersion) callgrind with --cache-sim=yes (\(r.geometry.options.joined(separator: " "))); one simulated inference after one uncollected warm-up, counts per inference; layer times are from the native run"
    }
}
