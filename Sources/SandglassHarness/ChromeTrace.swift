// A per-layer pass as a Chrome trace-event file (the JSON that Perfetto and chrome://tracing
// open): one process, the benchmark thread as one track, one complete event ("ph": "X") per
// instrumented inference and, inside it, one per plan step with its op, kernel, shapes' counts
// and bytes as arguments; counter tracks ("ph": "C") for the per-layer counters, stepping at
// each step's start, and for the host's frequency and temperature where the kernel exposes
// them. Timestamps are microseconds from the first traced step.
import Foundation
import SandglassEngine
import SandglassProbes

public enum ChromeTrace {
    /// The trace of `run`'s instrumented inferences. `host`: samples of the host taken around
    /// the pass (DriftLog), drawn as counter tracks where they hold values.
    public static func events(plan: Plan, run: PerLayerRun, title: String, host: [DriftSample] = [],
                              hostStartNanoseconds: UInt64? = nil) -> [[String: Any]] {
        let pid = Int(getpid())
        let tid = 1
        var events: [[String: Any]] = [
            ["name": "process_name", "ph": "M", "pid": pid, "tid": tid, "args": ["name": "sandglass: \(title)"]],
            ["name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": ["name": "benchmark thread"]],
        ]
        let timelines = plan.steps.indices.map { run.probe.timeline(of: $0) }
        guard let origin = timelines.compactMap({ $0.first?.start }).min() else { return events }
        func us(_ ns: UInt64) -> Double { Double(ns &- origin) / 1000 }
        let runs = timelines.map(\.count).min() ?? 0
        // Counter values per step: the step's mean reading, plotted while the step runs.
        let counterNames = run.profile.counters.events
        for r in 0..<runs {
            let first = timelines[0][r], last = timelines[timelines.count - 1][r]
            events.append(["name": "inference \(r + 1)", "cat": "inference", "ph": "X", "pid": pid, "tid": tid,
                           "ts": us(first.start), "dur": Double(last.start &+ last.duration &- first.start) / 1000,
                           "args": ["run": r + 1]])
            for (i, step) in plan.steps.enumerated() {
                let t = timelines[i][r]
                let counts = step.counts
                var args: [String: Any] = ["op": step.op, "kernel": step.kernel, "madds": counts.madds,
                                           "bytesRead": counts.bytesRead, "bytesWritten": counts.bytesWritten,
                                           "weightBytes": counts.weightBytes, "shortcutAdds": counts.shortcutAdds]
                if let samples = run.profile.layers[i].counterSamples { args["counterSamples"] = samples }
                events.append(["name": step.name, "cat": step.op, "ph": "X", "pid": pid, "tid": tid,
                               "ts": us(t.start), "dur": Double(t.duration) / 1000, "args": args])
                var values: [String: Double] = [:]
                for name in counterNames {
                    if case let .value(v, _, _)? = run.profile.layers[i].counters[name] { values[name] = v }
                }
                for (name, value) in values.sorted(by: { $0.key < $1.key }) {
                    events.append(["name": name, "ph": "C", "pid": pid, "tid": tid, "ts": us(t.start), "args": [name: value]])
                }
            }
        }
        if let hostStart = hostStartNanoseconds {
            for sample in host {
                let ts = Double(hostStart) / 1000 + sample.seconds * 1e6 - Double(origin) / 1000
                if let mhz = sample.frequencyMHz?.compactMap({ $0 }).first {
                    events.append(["name": "CPU frequency (MHz)", "ph": "C", "pid": pid, "tid": tid, "ts": ts, "args": ["MHz": mhz]])
                }
                if let zones = sample.temperatureCelsius, let hottest = zones.values.max() {
                    events.append(["name": "temperature (°C)", "ph": "C", "pid": pid, "tid": tid, "ts": ts, "args": ["°C": hottest]])
                }
            }
        }
        return events
    }

    /// Writes `{"traceEvents": [...], "displayTimeUnit": "ms"}` to `path`.
    public static func write(_ events: [[String: Any]], to path: String) throws {
        let document: [String: Any] = ["traceEvents": events, "displayTimeUnit": "ms",
                                       "otherData": ["generator": "sandglass"]]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw ResultsError("cannot write the trace to \(path): check that its folder exists and is writable")
        }
    }
}
