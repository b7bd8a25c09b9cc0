// Everything a reader must know before trusting the numbers, gathered from the results:
// environment warnings (governor not `performance`, high load, debug build, uncommitted
// changes), point warnings (noisy points, slow core-to-core placement), interrupted or
// incomplete sweeps, unreadable records, counters that were asked for but not recorded or
// unavailable, merged duplicates and missing calibration. Each warning once, in order.
import SandglassHarness

public enum ReportWarnings {
    public static func collect(_ c: ResultsCollection) -> [String] {
        var out: [String] = []
        func add(_ w: String) { if !out.contains(w) { out.append(w) } }
        for (index, s) in c.sources.enumerated() {
            for h in s.contents.headers {
                for w in h.environment.warnings { add("\(s.name)\(h.board.map { " (board \($0))" } ?? ""): \(w)") }
            }
            for w in s.contents.warnings { add(w) }
            let points = s.contents.points.count
            if let end = s.contents.ends.last {
                if end.interrupted {
                    add("\(s.name): the sweep was interrupted (\(end.completedPoints) of \(end.totalPoints) points complete); continue it with `sandglass sweep … --resume`")
                } else if end.completedPoints < end.totalPoints {
                    add("\(s.name): \(end.totalPoints - end.completedPoints) of \(end.totalPoints) points did not complete (they could not run; see the sweep's output)")
                }
            } else if !s.contents.headers.isEmpty {
                add("\(s.name): no end record — the sweep was stopped abruptly (killed, crashed or still running); \(points) completed point(s) are included")
            }
            let own = c.points.filter { $0.sourceIndex == index && !($0.record.layers?.isEmpty ?? true) }
            if !own.isEmpty && own.allSatisfy({ c.calibration(for: $0) == nil }) {
                add("\(s.name): no calibration record (swept with --no-calibrate): rooflines for its points have no ceilings")
            }
        }
        // Point warnings: the same message for several points is said once, with the points.
        var messages: [String] = []
        var labels: [String: [String]] = [:]
        func note(_ label: String, _ message: String) {
            if labels[message] == nil { messages.append(message) }
            if !(labels[message] ?? []).contains(label) { labels[message, default: []].append(label) }
        }
        for p in c.points {
            let label = PointSelection.label(p.record)
            for w in p.record.warnings { note(label, w) }
            if p.record.counters != .none, let layers = p.record.layers, layers.allSatisfy({ $0.counters.isEmpty }) {
                note(label, "counters `\(p.record.counters)` were requested but none were recorded (counter backend: \(p.record.perLayer?.counterBackend ?? "none")); memory traffic is analytic")
            }
            var unavailable: [String: String] = [:]
            for l in p.record.layers ?? [] {
                for (event, value) in l.counters where value.value == nil {
                    unavailable[event] = value.unavailable ?? "no reason given"
                }
            }
            for event in unavailable.keys.sorted() { note(label, "counter \(event) unavailable: \(unavailable[event]!)") }
            if let peak = c.calibration(for: p)?.peak(isa: p.record.isaUsed, threads: p.record.threads),
               let above = RooflinePlot.layersAbovePeak(p.record, peak: peak), above > 0 {
                note("\(label) (\(above) layers)", "layers achieve more than the calibrated peak of \(ReportFormat.rate(peak)) GFLOP/s: the calibration underestimates the ceiling (a loaded machine or a quick calibration), so the roofline's compute ceiling is too low")
            }
            if let s = p.record.perLayer, s.overheadPercent > 10 {
                note(label, "per-layer instrumentation overhead \(ReportFormat.signedPercent(s.overheadPercent))% of the end-to-end time: per-layer times are inflated or noisy")
            }
        }
        for m in messages {
            let points = labels[m]!
            add(points.count == 1 ? "\(points[0]): \(m)" : "\(m) — \(points.count) points: \(points.joined(separator: "; "))")
        }
        for n in c.mergeNotes { add(n) }
        return out
    }
}
