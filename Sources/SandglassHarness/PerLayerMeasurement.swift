// The per-layer pass of a sweep point: the same machinery as `bench --per-layer` (a counter
// session on the benchmark thread, a LayerProbe, uninstrumented and instrumented runs
// interleaved), turned into the results file's layer records: time, analytic counts, counters
// with provenance and, where the PMU or simulator gives it, measured memory traffic.
// `sim` points run `sandglass bench --counters sim` as a child: callgrind re-executes the
// command it measures, which must be a single-point bench, not the sweep.
import Foundation
import SandglassEngine
import SandglassProbes

public enum PerLayerMeasurer {
    public static func measure(_ session: PointSession, iterations: Int, topology: Topology?) throws
        -> (PerLayerSummary, [LayerRecord]) {
        let selection: CounterSelection
        do { selection = try CounterSelection(parsing: session.point.counters) } catch let e as CounterSelection.ParseError {
            throw ResultsError(e.description)
        }
        if selection == .sim { return try simulated(session, iterations: iterations) }
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

    /// Runs `sandglass bench … --counters sim --per-layer --format json` for this point.
    static func simulated(_ session: PointSession, iterations: Int) throws -> (PerLayerSummary, [LayerRecord]) {
        let p = session.point
        guard let executable = ChildProcess.currentExecutable else {
            throw ResultsError("cannot find this program's executable to run the sim backend")
        }
        var args = [executable, "bench", "--counters", "sim", "--per-layer", "--format", "json",
                    "--threads", "\(p.threads)", "--add", p.add, "--warmup", "2", "--iterations", "\(max(2, iterations))"]
        if let onnx = p.onnxPath {
            args += ["--onnx", onnx]
        } else {
            args += ["--model", p.model, "--width", "\(p.width)", "--alpha", p.alpha, "--resolution", "\(p.resolution)"]
        }
        if p.isa != "auto" { args += ["--isa", p.isa] }
        if p.pin != "none" { args += ["--pin", p.pin] }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sandglass-sweep-sim-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let status = try ChildProcess.run(executable, arguments: args, environment: ChildProcess.currentEnvironment,
                                          stdoutPath: dir + "/out.json", stderrPath: dir + "/err.txt")
        guard status == 0, let data = FileManager.default.contents(atPath: dir + "/out.json") else {
            let err = (try? String(contentsOfFile: dir + "/err.txt", encoding: .utf8)) ?? ""
            throw ResultsError("sim backend for \(p.label) failed (exit \(status)): \(err.split(separator: "\n").first ?? "")")
        }
        struct BenchJSON: Decodable {
            var endToEndMs: Double
            var perLayerSumMs: Double
            var overheadPercent: Double
            var counters: PerLayerProfile.Counters
            var layers: [PerLayerProfile.Layer]
        }
        let bench = try JSONDecoder().decode(BenchJSON.self, from: data)
        let plan = session.plan
        guard bench.layers.map(\.name) == plan.steps.map(\.name) else {
            throw ResultsError("sim backend for \(p.label): the child's plan has different steps")
        }
        let summary = PerLayerSummary(iterations: iterations, endToEndMs: bench.endToEndMs, sumOfLayersMs: bench.perLayerSumMs,
                                      overheadPercent: bench.overheadPercent, counterBackend: "sim",
                                      counterEvents: bench.counters.events, counterNotes: bench.counters.notes)
        return (summary, records(bench.layers, plan: plan))
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
