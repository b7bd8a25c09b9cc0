// How `ab` and `resolution` print a paired group: a table of paired ratios (the result) with the
// pooled latencies beside them (secondary), the A/A resolution, and which cache state it reflects.
import SandglassHarness

enum PairedOutput {
    static func ciText(_ c: MedianCI, digits: Int) -> String {
        let m: String = fixed(c.median, digits), l: String = fixed(c.ciLow, digits), h: String = fixed(c.ciHigh, digits)
        return m + " [" + l + ", " + h + "]"
    }

    static func render(_ r: PairedGroupReport, title: String) -> String {
        var lines: [String] = []
        let where_ = r.cpu.map { "CPU \($0)" } ?? "an unpinned thread"
        lines.append("\(title): \(r.cycles) cycles in \(fixed(r.seconds, 1)) s on \(where_) (\(r.cpuModel)); stop: \(r.stopReason)")
        lines.append("interleave \(r.interleave): \(r.cacheState)")
        lines.append("baseline \(r.baseline.label): \(fixed(r.baseline.latencyMs.median, 3)) ms (median of its samples; absolute figures are secondary here)")
        var t = TextTable(headers: ["candidate", "ratio [95% CI]", "Δ ms [95% CI]", "pairs", "lag-1 r", "median ms", "verdict"], leftAligned: [0, 6])
        for c in r.candidates {
            let name: String = c.overrides.isEmpty ? "A/A copy" : c.overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let lag: String = c.lag1Autocorrelation.map { fixed($0, 2) } ?? "—"
            t.add([name, ciText(c.ratio, digits: 4), ciText(c.differenceMs, digits: 3), String(c.pairs), lag,
                   fixed(c.latencyMs.median, 3), c.verdict])
        }
        if !r.candidates.isEmpty { lines.append(t.render()) }
        if let a = r.resolution {
            let bias: String = (a.biasPercent >= 0 ? "+" : "") + fixed(a.biasPercent, 2)
            lines.append("resolution (A/A, two independently planned copies of the baseline, alternated the same way): ratio \(ciText(a.ratio, digits: 4)), ±\(fixed(a.halfWidthPercent, 2)) %, bias \(bias) %, \(a.pairs) pairs")
        }
        for c in r.candidates { for w in c.warnings { lines.append("warning: \(c.label): \(w)") } }
        for w in r.warnings { lines.append("warning: \(w)") }
        return lines.joined(separator: "\n")
    }
}
