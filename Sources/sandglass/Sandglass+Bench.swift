import ArgumentParser
import Foundation
import SandglassEngine
import SandglassHarness
import SandglassProbes

extension Sandglass {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run inference repeatedly and print latency statistics (milliseconds); per layer with counters.")

        @OptionGroup var model: ModelOptions
        @OptionGroup var engine: EngineOptions
        @OptionGroup var measurement: MeasurementOptions

        @Option(help: "Untimed warm-up inferences.")
        var warmup: Int = 20

        @Option(name: .customLong("iterations"),
                help: "Timed inferences (with --per-layer: this many uninstrumented and as many instrumented, interleaved). (default: 100; 200 per layer, so that a narrow rotating counter window still gives every layer 20 samples)")
        var iterationsOption: Int?

        /// Whether this bench measures per layer (--per-layer, counters or a trace ask for it).
        var measuresPerLayer: Bool { perLayer || trace != nil || measurement.counters != "none" }
        var iterations: Int { iterationsOption ?? (measuresPerLayer ? 200 : 100) }

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        @Flag(help: "Also measure every layer (plan step): time, and the counters of --counters, in instrumented runs interleaved with uninstrumented ones.")
        var perLayer = false

        @Flag(help: "Also calibrate this core quickly (peak FMA, read bandwidth per cache level) and report the plan's roofline bound beside the measured latency (always in --format json).")
        var roofline = false

        @Option(help: ArgumentHelp("Write the instrumented inferences as a Chrome trace-event file (open it in ui.perfetto.dev or chrome://tracing); implies --per-layer.",
                                   valueName: "trace.json"))
        var trace: String?

        @Option(help: ArgumentHelp("Steps whose counters each instrumented inference reads: auto (a window kept under 0.3% of an inference by the cost of a snapshot measured in a paired pilot, rotating over the runs), all, or a number.",
                                   valueName: "auto|all|N"))
        var counterWindow: String = "auto"

        @Flag(help: "Measure without first checking the kernels against their references on this machine (the output says so).")
        var skipSelftest = false

        @OptionGroup(title: "Remote boards") var remote: RemoteOptions

        /// nil: auto; Int.max: all.
        func window() throws -> Int? {
            switch counterWindow {
            case "auto": return nil
            case "all": return Int.max
            default:
                guard let n = Int(counterWindow), n >= 1 else {
                    throw ValidationError("--counter-window '\(counterWindow)' must be auto, all or a number of steps of at least 1")
                }
                return n
            }
        }

        func validate() throws {
            guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more (got \(warmup))") }
            guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1 (got \(iterations))") }
            guard format != .csv else { throw ValidationError("bench prints table or json, not csv") }
            _ = try window()
            if trace != nil && remote.isRemote {
                throw ValidationError("--trace writes a file here and cannot follow a bench to a board; run the sweep there and copy, or trace locally")
            }
            try remote.validate()
        }

        struct Output: Codable {
            var model: String
            /// mobilenext, mobilenetv2, or onnx for an imported model.
            var architecture: String
            /// The imported model's path (nil for a built-in model).
            var onnx: String?
            /// Built-in models only.
            var width: Double?
            var alpha: String?
            var resolution: Int
            var classes: Int?
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
            var pinning: Pinning?
            /// The kernels checked against their references before measuring (or skipped).
            var selftest: SelfTestOutcome?
            // Per-layer measurement (--per-layer or --counters):
            var endToEndMs: Double?
            var instrumentedMs: Double?
            var perLayerSumMs: Double?
            /// Sum of the layers' means against the mean uninstrumented inference (means add up).
            var perLayerMeanSumMs: Double?
            var endToEndMeanMs: Double?
            var overheadPercent: Double?
            /// The overhead from the interleaved pairs, percent, with its 95% CI.
            var overheadPairedPercent: MedianCI?
            var endToEndCPUMs: Double?
            var overheadCPUPercent: Double?
            var counters: PerLayerProfile.Counters?
            var simulation: Simulation?
            var layers: [PerLayerProfile.Layer]?
            var counterTotals: CounterReadings?
            var shortcuts: [ShortcutResidency]?
            /// The plan's roofline bound from a quick calibration of this core (RooflineBound.swift).
            var roofline: RooflineBound?
            /// Kernel choices tuned for this CPU (PlanTuning.swift).
            var tuning: TuningOutcome?
        }

        /// Memory: what the plan needs (packed weights + activation arena + zero row), and what the
        /// process holds: resident before the model existed (after one inference of a minimal
        /// model, so code and runtime are already paged in), in steady state (after the graph's
        /// unfolded weights were released), and the peak including model construction.
        struct Memory: Codable {
            var packedWeightBytes: Int
            var arenaBytes: Int
            var plannedBytes: Int
            var baselineResidentBytes: Int?
            var steadyResidentBytes: Int?
            /// Steady-state resident memory added by the model: the growth of anonymous resident
            /// memory (RssAnon, where weights and arena live) from baseline to steady state, or of
            /// the whole resident set where RssAnon is unreadable.
            var modelResidentBytes: Int?
            /// modelResidentBytes / plannedBytes (1.0 = exactly what was planned).
            var modelResidentRatio: Double?
            var peakResidentBytes: Int?
        }

        struct Pinning: Codable {
            var request: String
            /// CPU per thread (index 0: the benchmark thread).
            var cpus: [Int]
            /// sched_getcpu of the benchmark thread after the run.
            var benchmarkThreadCPU: Int
            /// Every thread of the process after the run: the workers' affinity shows their pinning.
            var threads: [ThreadAffinity]
        }

        struct Simulation: Codable {
            var tool: String
            var geometry: CallgrindCacheGeometry
            var warmupRuns: Int
            var simulatedRuns: Int
            var wallSeconds: Double
        }

        func run() throws {
            if remote.isRemote { return try runOnBoard() }
            let selection = try measurement.counterSelection()
            if let directory = CallgrindSession.childDirectory {
                try runSimulatedChild(directory: directory, selection: selection)
                return
            }
            let planOptions = try self.planOptions(for: selection)
            // Topology: pinning and the cache facts of the report need it.
            let topology = try? HwlocTopology.load()
            let point = try self.point(selection: selection)
            // The kernels this bench will run, checked against their references here first.
            let selfTest = SelfTestGate.check(isas: SelfTestGate.isas(for: [point]), skip: skipSelftest)
            guard selfTest.passed || skipSelftest else { throw CommandFailure(SelfTestGate.refusal(selfTest)) }
            ProcessMemory.trim()
            if point.pin != .none && topology == nil {
                throw CommandFailure("cannot pin (\(point.pin)): hwloc could not read the topology")
            }
            // After the tool's own state (hwloc's topology is some hundreds of KB), so that what
            // grows from here is the model's.
            let baseline = Self.warmBaseline(planOptions)

            // The setup sweeps, ab and resolution use: pin first, build and plan, release the graph.
            var identity: ModelIdentity?
            let session: PointSession
            do {
                session = try PointSession(point, seed: seed, topology: topology) {
                    let loaded = try model.load()
                    identity = ModelIdentity(loaded, onnx: model.onnx)
                    return loaded.graph
                }
            } catch let e as ParameterError {
                throw CommandFailure.usage(e.message)
            } catch let e as ISASelectionError {
                throw CommandFailure.usage(e.description)
            } catch let e as ResultsError {
                throw CommandFailure(e.message)
            }
            guard let identity else { throw CommandFailure("the model was not built") }
            ProcessMemory.trim()
            let plan = session.plan
            let executor = session.executor
            let cpus: [Int]? = session.cpus.isEmpty ? nil : session.cpus

            var output: Output
            var profile: PerLayerProfile?
            if measuresPerLayer || selection != .none {
                let result = try measurePerLayer(session, topology: topology)
                let built = result.profile
                output = makeOutput(identity, plan: plan, executor: executor, baseline: baseline,
                                    warm: result.measurement.warmup, samples: result.measurement.uninstrumented)
                output.endToEndMs = built.endToEndMs
                output.instrumentedMs = built.instrumentedMs
                output.perLayerSumMs = built.perLayerSumMs
                output.perLayerMeanSumMs = built.perLayerMeanSumMs
                output.endToEndMeanMs = built.endToEndMeanMs
                output.overheadPercent = built.overheadPercent
                output.overheadPairedPercent = built.overheadPairedPercent
                if let warning = PerLayerMeasurer.overheadWarning(built.overheadPairedPercent) {
                    FileHandle.standardError.write(Data("sandglass: warning: \(warning)\n".utf8))
                }
                output.endToEndCPUMs = built.endToEndCPUMs
                output.overheadCPUPercent = built.overheadCPUPercent
                output.counters = built.counters
                output.simulation = result.simulation
                output.layers = built.layers
                output.counterTotals = built.totals
                output.shortcuts = result.shortcuts
                profile = built
            } else {
                let (warm, samples) = LatencyBenchmark(warmup: warmup, iterations: iterations).measure(executor)
                output = makeOutput(identity, plan: plan, executor: executor, baseline: baseline, warm: warm, samples: samples)
            }
            output.selftest = selfTest
            output.tuning = session.tuning
            for warning in session.tuning.warnings {
                FileHandle.standardError.write(Data("sandglass: warning: \(warning)\n".utf8))
            }
            var rooflineUnavailable: String?
            if roofline || format == .json {
                switch Roofline.quickBound(plan: plan, measuredMs: output.latencyMs.median) {
                case .success(let bound): output.roofline = bound
                case .failure(let why): rooflineUnavailable = why.reason
                }
            }
            if let cpus {
                output.pinning = Pinning(request: point.pin.description, cpus: cpus, benchmarkThreadCPU: ThreadPinning.currentCPU,
                                         threads: ThreadAffinity.threadsOfThisProcess())
            }

            if format == .json {
                print(try jsonString(output))
                return
            }
            if let profile { print(PerLayerTable.render(profile, plan: plan, shortcuts: output.shortcuts ?? [])) }
            printSummary(output, name: identity.name, plan: plan, executor: executor)
            if let bound = output.roofline {
                // Built in typed steps: Swift 6.0's type checker gives up on one long expression.
                let levels: [String] = bound.levels.filter { $0.steps > 0 }.map { "\($0.name) \($0.steps) steps \(fixed($0.boundMs, 3)) ms" }
                let ratio: String = bound.measuredOverBound.map { fixed($0, 2) } ?? "n/a"
                var line = "roofline bound \(fixed(bound.boundMs, 3)) ms (compute \(fixed(bound.computeBoundMs, 3)), "
                line += "traffic \(fixed(bound.trafficBoundMs, 3)); " + levels.joined(separator: ", ")
                line += "; peak \(fixed(bound.peakGflops, 0)) GFLOP/s): measured / bound \(ratio)"
                print(line)
            } else if let rooflineUnavailable {
                print("roofline bound: unavailable (\(rooflineUnavailable))")
            }
            print("tuning: \(session.tuning.summary)")
            if profile != nil {
                // The chains the planner would form that tuning runs layer by layer or splits: why
                // they are not in the chain table above as the planner's rule would form them.
                let split = session.tuning.tuned.filter {
                    $0.key.contains(" chain ") && ($0.value.hasPrefix("layer by layer") || $0.value.hasPrefix("split at links"))
                }
                if !split.isEmpty {
                    print("  chains run layer by layer or split, measured faster so in the network than as one chain:")
                    for (key, choice) in split.sorted(by: { $0.key < $1.key }) { print("    \(key): \(choice)") }
                }
            }
            print(selfTest.summary)
        }

        /// The point these flags describe (its model may also carry --classes or --weights, which
        /// the model closure builds; the point names the rest).
        func point(selection: CounterSelection) throws -> SweepPoint {
            var p = SweepPoint(threads: engine.threads, add: try engine.addMode(), counters: selection,
                               pin: try measurement.pinRequest(), isa: try engine.selectedISA().map(ISAChoice.named) ?? .auto,
                               fusion: try engine.fusionMode(), tuning: try engine.tuningMode(), dtype: try engine.elementType())
            if let onnx = model.onnx {
                p.model = "onnx:" + onnx
            } else {
                let spec = try model.spec()
                p.model = spec.architecture.rawValue
                p.width = spec.width
                p.alpha = spec.alpha
                p.resolution = spec.resolution
            }
            return p
        }

        var seed: UInt64 { model.onnx == nil ? (model.seed ?? 0) : 0 }

        /// Resident memory of the process with code, runtime and kernels already paged in: after
        /// one inference of a minimal model, so that the model's own footprint is what grows next.
        static func warmBaseline(_ options: PlanOptions) -> ProcessMemory {
            do {
                let tiny = try ModelSpec(architecture: .mobilenext, width: 0.1, resolution: 32, classes: 8).build()
                let plan = try Planner.plan(tiny, options: options)
                Executor(plan: plan).run()
            } catch {}
            ProcessMemory.trim()
            return ProcessMemory.current()
        }

        /// What was measured, kept after the graph itself is released.
        struct ModelIdentity {
            var name: String
            var spec: ModelSpec?
            var onnx: String?
            var resolution: Int
            var totals: ModelSummary.Totals

            init(_ loaded: LoadedModel, onnx: String?) {
                name = loaded.name
                spec = loaded.spec
                self.onnx = onnx
                resolution = loaded.graph.inputShape.height
                totals = ModelSummary.Totals(loaded.graph.totals)
            }
        }

        /// The plan options, adjusted for the sim backend: one thread, and no AVX-512 on x86
        /// (valgrind 3.19 cannot decode it), so `auto` means AVX2 there (SimulatedCounters).
        func planOptions(for selection: CounterSelection) throws -> PlanOptions {
            var options = try engine.planOptions()
            guard selection == .sim else { return options }
            do { options.isa = try SimulatedCounters.simulatedISA(options.isa, threads: options.threads) } catch let e as ParameterError {
                throw CommandFailure.usage(e.message)
            }
            return options
        }

        func makeOutput(_ identity: ModelIdentity, plan: Plan, executor: Executor, baseline: ProcessMemory,
                        warm: [Double], samples: [Double]) -> Output {
            let stats = LatencyStatistics(samples: samples)
            let memory = ProcessMemory.current()
            let modelBytes: Int? = memory.anonymousResidentBytes.flatMap { now in baseline.anonymousResidentBytes.map { now - $0 } }
                ?? memory.residentBytes.flatMap { now in baseline.residentBytes.map { now - $0 } }
            let spec = identity.spec
            let totals = identity.totals
            return Output(
                model: identity.name, architecture: spec?.architecture.rawValue ?? "onnx", onnx: identity.onnx,
                width: spec?.width, alpha: spec?.alpha.description, resolution: identity.resolution,
                classes: spec?.classes,
                threads: executor.threads, add: plan.options.addMode.rawValue, isa: plan.isa.rawValue,
                warmup: warmup, iterations: iterations, latencyMs: stats, warmupMs: LatencyStatistics(samples: warm),
                gflops: 2 * Double(totals.madds) / (stats.median * 1e6), totals: totals,
                memory: Memory(packedWeightBytes: plan.packedWeightBytes, arenaBytes: plan.arenaBytes,
                               plannedBytes: plan.plannedBytes, baselineResidentBytes: baseline.residentBytes,
                               steadyResidentBytes: memory.residentBytes, modelResidentBytes: modelBytes,
                               modelResidentRatio: modelBytes.map { Double($0) / Double(plan.plannedBytes) },
                               peakResidentBytes: memory.peakResidentBytes))
        }

        func printSummary(_ output: Output, name: String, plan: Plan, executor: Executor) {
            let stats = output.latencyMs
            var header = "\(name)  isa \(plan.isa.rawValue)  threads \(executor.threads)  add \(plan.options.addMode.rawValue)"
            if let pinning = output.pinning {
                header += "  pinned \(pinning.request) -> CPU \(pinning.cpus.map(String.init).joined(separator: ","))"
            }
            print(header)
            var t = TextTable(headers: ["", "median", "p10", "p90", "min", "mean", "stddev", "count"])
            t.add(["latency (ms)", fixed(stats.median, 3), fixed(stats.p10, 3), fixed(stats.p90, 3), fixed(stats.min, 3),
                   fixed(stats.mean, 3), fixed(stats.stddev, 3), "\(stats.count)"])
            print(t.render())
            print("throughput \(fixed(output.gflops, 1)) GFLOP/s at the median (\(grouped(output.totals.madds)) MAdds)")
            let mib = { (b: Int?) in b.map { fixed(Double($0) / 1048576, 1) + " MiB" } ?? "unavailable" }
            let m = output.memory
            print("memory: planned \(mib(m.plannedBytes)) (weights \(mib(m.packedWeightBytes)) + arena \(mib(m.arenaBytes))); "
                  + "resident: model \(mib(m.modelResidentBytes))\(m.modelResidentRatio.map { " (" + fixed($0, 2) + "× planned)" } ?? ""), "
                  + "process steady \(mib(m.steadyResidentBytes)), peak \(mib(m.peakResidentBytes)) incl. model construction")
        }
    }
}
