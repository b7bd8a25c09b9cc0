// The per-layer table of `bench --per-layer`: time, counters (compact numbers with their unit in
// the header; * marks values scaled after multiplexing, n/a the unavailable, with the reasons
// listed once below), memory traffic beside the analytic minimum, a legend that says what each
// column is, and the shortcut blocks' identity-tensor residency.
import SandglassHarness
import SandglassProbes
import SandglassEngine

enum PerLayerTable {
    /// "; paired over N pairs: +x % [lo, hi]", or nothing without pairs.
    static func pairedOverhead(_ profile: PerLayerProfile) -> String {
        guard let o = profile.overheadPairedPercent, let n = profile.overheadPairs else { return "" }
        return "; paired over \(n) pairs: \(fixed(o.median, 2)) % [\(fixed(o.ciLow, 2)), \(fixed(o.ciHigh, 2))]"
    }

    static func render(_ profile: PerLayerProfile, plan: Plan, shortcuts: [ShortcutResidency]) -> String {
        // The sim backend reports many callgrind events; the table shows the aggregates.
        let shown = profile.counters.backend == "sim"
            ? profile.counters.events.filter { ["instructions", "L1-misses", "LL-misses"].contains($0) }
            : profile.counters.events
        let traffic = profile.layers.first?.memoryTraffic.measured.first
        var headers = ["step", "op", "ms", "%"] + shown.map { header(of: $0) } + ["min MB"]
        if traffic != nil { headers += ["meas MB", "meas/min"] }
        var t = TextTable(headers: headers, leftAligned: [0, 1])
        var scaled = false
        for layer in profile.layers {
            var row = [layer.name, layer.op, fixed(layer.timeMs, 4), fixed(100 * layer.timeMs / profile.perLayerSumMs, 1)]
            for name in shown {
                switch layer.counters[name] {
                case let .value(v, p, _)?:
                    row.append(compact(v * scale(of: name)) + (p == .scaled ? "*" : ""))
                    scaled = scaled || p == .scaled
                default:
                    row.append("n/a")
                }
            }
            row.append(fixed((layer.memoryTraffic.analytic.value ?? 0) / 1e6, 3))
            if let measured = layer.memoryTraffic.measured.first {
                row.append(measured.bytes.value.map { fixed($0 / 1e6, 3) } ?? "n/a")
                row.append(measured.ratio.map { fixed($0, 2) } ?? "n/a")
            }
            t.add(row)
        }
        var lines = [t.render(), legend(shown: shown, measuredTraffic: traffic != nil)]
        lines.append("sum of layers \(fixed(profile.perLayerSumMs, 3)) ms; end to end \(fixed(profile.endToEndMs, 3)) ms uninstrumented, \(fixed(profile.instrumentedMs, 3)) ms instrumented: overhead \(fixed(profile.overheadPercent, 2)) % (\(fixed(profile.overheadCPUPercent, 2)) % in thread CPU time; medians of interleaved runs)\(pairedOverhead(profile))")
        let sumError = fixed(profile.perLayerSumErrorPercent, 2)
        lines.append("layers' means add up to \(fixed(profile.perLayerMeanSumMs, 3)) ms against a mean uninstrumented inference of \(fixed(profile.endToEndMeanMs, 3)) ms (\(sumError) %)")
        lines.append("counters: \(profile.counters.backend)" + (profile.counters.presetFamily.map { " (\($0))" } ?? ""))
        for note in profile.counters.notes { lines.append("  note: \(note)") }
        if let path = profile.counters.readPath { lines.append("  read: \(path)") }
        if scaled { lines.append("  * scaled by time enabled / time running: the kernel multiplexed the group") }
        if let traffic { lines.append("  meas MB: \(traffic.level), line \(traffic.lineBytes) B") }
        // Each reason for unavailable events once, with the events it applies to.
        var reasons: [(reason: String, events: [String])] = []
        for name in profile.counters.events {
            guard let reason = profile.layers.lazy.compactMap({ $0.counters[name]?.unavailableReason }).first else { continue }
            if let i = reasons.firstIndex(where: { $0.reason == reason }) { reasons[i].events.append(name) } else { reasons.append((reason, [name])) }
        }
        for (reason, events) in reasons { lines.append("  n/a \(events.joined(separator: ", ")): \(reason)") }
        let chains = zip(plan.steps, profile.layers).filter { $0.0.chain != nil }
        if !chains.isEmpty {
            // Fused groups: which layers run as one step, and the traffic the fusion took away.
            var c = TextTable(headers: ["depth-first chain", "layers", "band rows", "buffers KiB", "min MB layer by layer", "min MB chained", "ms"],
                              leftAligned: [0])
            for (step, layer) in chains {
                guard let chain = step.chain else { continue }
                let first = step.name.split(separator: "+").first.map(String.init) ?? step.name
                let last = step.name.split(separator: "+").last.map(String.init) ?? step.name
                var row: [String] = ["\(first) … \(last)", "\(step.layers.count) in \(chain.members) steps", "\(chain.bandRows)"]
                row.append(fixed(Double(chain.bufferBytes) / 1024, 0))
                row.append(fixed(Double(chain.unfusedBytes) / 1e6, 3))
                row.append(fixed(Double(step.counts.bytes) / 1e6, 3))
                row.append(fixed(layer.timeMs, 4))
                c.add(row)
            }
            lines.append("depth-first chains (--fusion auto; --fusion none times each layer alone): intermediates stay in per-thread band buffers")
            lines.append(c.render())
        }
        if !shortcuts.isEmpty {
            let l1 = shortcuts[0].l1Bytes.map { "\($0 / 1024) KiB" } ?? "unknown"
            let l2 = shortcuts[0].l2Bytes.map { "\($0 / 1024) KiB" } ?? "unknown"
            var s = TextTable(headers: ["shortcut", "identity KiB", "fits"])
            for block in shortcuts { s.add([block.layer, fixed(Double(block.identityBytes) / 1024, 1), block.fits]) }
            lines.append("identity tensors of the shortcut adds against this core's L1d (\(l1)) and L2 (\(l2)):")
            lines.append(s.render())
        }
        return lines.joined(separator: "\n")
    }

    /// Counters that count nanoseconds of CPU time are shown in microseconds, the scale of a layer.
    static let nanosecondEvents: Set<String> = ["task-clock", "cpu-clock", "thread-cpu-time"]

    static func header(of event: String) -> String {
        nanosecondEvents.contains(event) ? "\(event) µs" : event
    }

    static func scale(of event: String) -> Double {
        nanosecondEvents.contains(event) ? 1e-3 : 1
    }

    /// One line that says what every column holds, in the order shown.
    static func legend(shown: [String], measuredTraffic: Bool) -> String {
        var parts = ["ms = median wall time per inference", "% = share of the layers' sum"]
        let times = shown.filter { nanosecondEvents.contains($0) }
        let counts = shown.filter { !nanosecondEvents.contains($0) }
        if !times.isEmpty { parts.append("\(times.joined(separator: ", ")) = µs of CPU time, mean per inference") }
        if !counts.isEmpty { parts.append("\(counts.joined(separator: ", ")) = events, mean per inference (k = 10³, M = 10⁶, G = 10⁹)") }
        parts.append("min MB = analytic minimum traffic (weights, inputs, identity, outputs; 1 MB = 10⁶ B)")
        if measuredTraffic { parts.append("meas MB = measured traffic, meas/min their ratio") }
        return "legend: " + parts.joined(separator: "; ")
    }

    /// 1234567 -> "1.23M"; small values keep their digits.
    static func compact(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e9 { return fixed(v / 1e9, 2) + "G" }
        if a >= 1e6 { return fixed(v / 1e6, 2) + "M" }
        if a >= 1e4 { return fixed(v / 1e3, 1) + "k" }
        return a == a.rounded() ? fixed(v, 0) : fixed(v, 1)
    }
}
