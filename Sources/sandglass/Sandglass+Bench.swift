import ArgumentParser
import SandglassEngine
import SandglassHarness
import SandglassProbes

extension Sandglass {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run inference repeatedly and print latency statistics (milliseconds).")

        @OptionGroup var model: ModelOptions
        @OptionGroup var engine: EngineOptions

        @Option(help: "Untimed warm-up inferences.")
        var warmup: Int = 20

        @Option(help: "Timed inferences.")
        var iterations: Int = 100

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        @Flag(help: "Also time every layer (step) in a separate instrumented pass.")
        var perLayer = false

        @OptionGroup(title: "Remote boards") var remote: RemoteOptions

        func validate() throws {
            guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more (got \(warmup))") }
            guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1 (got \(iterations))") }
            guard format != .csv else { throw ValidationError("bench prints table or json, not csv") }
            try remote.validate()
        }

        struct Output: Codable {
            var model: String
            var architecture: String
            var width: Double
            var alpha: String
            var resolution: Int
            var classes: Int
            var threads: Int
            var add: String
            var isa: String
            var warmup: Int
            var iterations: Int
            var latencyMs: LatencyStatistics
            var warmupMs: LatencyStatistics
            var gflops: Double
            var totals: ModelSummary.Totals
            var memory: Memory
        }

        struct Memory: Codable {
            var packedWeightBytes: Int
            var arenaBytes: Int
            var plannedBytes: Int
            var residentBytes: Int?
            var peakResidentBytes: Int?
        }

        func run() throws {
            if remote.isRemote { return try runOnBoard() }
            let spec = try model.spec()
            let graph = try spec.build()
            let totals = ModelSummary.Totals(graph.totals)
            let plan: Plan
            do { plan = try Planner.plan(graph, options: try engine.planOptions()) } catch let e as ISASelectionError {
                throw CommandFailure.usage(e.description)
            }
            plan.setRandomInput(seed: spec.seed)
            let executor = Executor(plan: plan)
            let (warm, samples) = LatencyBenchmark(warmup: warmup, iterations: iterations).measure(executor)
            let stats = LatencyStatistics(samples: samples)
            let memory = ProcessMemory.current()
            let output = Output(
                model: spec.displayName, architecture: spec.architecture.rawValue, width: spec.width,
                alpha: spec.alpha.description, resolution: spec.resolution, classes: spec.classes,
                threads: executor.threads, add: plan.options.addMode.rawValue, isa: plan.isa.rawValue,
                warmup: warmup, iterations: iterations, latencyMs: stats, warmupMs: LatencyStatistics(samples: warm),
                gflops: 2 * Double(totals.madds) / (stats.median * 1e6), totals: totals,
                memory: Memory(packedWeightBytes: plan.packedWeightBytes, arenaBytes: plan.arenaBytes,
                               plannedBytes: plan.plannedBytes, residentBytes: memory.residentBytes,
                               peakResidentBytes: memory.peakResidentBytes))
            if format == .json {
                print(try jsonString(output))
                return
            }
            if perLayer {
                let timer = StepTimer(steps: plan.steps.count)
                for _ in 0..<iterations { executor.run(probe: timer) }
                var t = TextTable(headers: ["step", "op", "kernel", "ms", "%", "GFLOP/s", "GB/s"], leftAligned: [0, 1, 2])
                let ms = timer.meanMilliseconds
                let total = ms.reduce(0, +)
                for (i, step) in plan.steps.enumerated() {
                    t.add([step.name, step.op, step.kernel, fixed(ms[i], 4), fixed(100 * ms[i] / total, 1),
                           fixed(2 * Double(step.counts.madds) / (ms[i] * 1e6), 1),
                           fixed(Double(step.counts.bytes) / (ms[i] * 1e6), 1)])
                }
                print(t.render())
                print("sum of steps \(fixed(total, 3)) ms")
            }
            print("\(spec.displayName)  isa \(plan.isa.rawValue)  threads \(executor.threads)  add \(plan.options.addMode.rawValue)")
            var t = TextTable(headers: ["", "median", "p10", "p90", "min", "mean", "stddev", "count"])
            t.add(["latency (ms)", fixed(stats.median, 3), fixed(stats.p10, 3), fixed(stats.p90, 3), fixed(stats.min, 3),
                   fixed(stats.mean, 3), fixed(stats.stddev, 3), "\(stats.count)"])
            print(t.render())
            print("throughput \(fixed(output.gflops, 1)) GFLOP/s at the median (\(grouped(totals.madds)) MAdds)")
            print("memory: weights \(fixed(Double(plan.packedWeightBytes) / 1048576, 1)) MiB + arena \(fixed(Double(plan.arenaBytes) / 1048576, 1)) MiB planned; peak RSS \(memory.peakResidentBytes.map { fixed(Double($0) / 1048576, 1) + " MiB" } ?? "unavailable")")
        }
    }
}
