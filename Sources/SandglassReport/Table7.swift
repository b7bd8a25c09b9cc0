// Table 7 of the paper, measured: MobileNeXt across the identity tensor multiplier α, with
// counts, latency (median, 95% CI, p90), latency relative to α = 1, memory traffic per
// inference, and the paper's Pixel 4 XL latencies as labelled reference columns. One section
// per setting (board, resolution, threads, add mode, ISA) and width that has two or more α.
import SandglassHarness
import SandglassParameters

public struct Table7: Sendable {
    public struct Row: Sendable {
        public var number: Int
        public var point: ReportPoint
        public var relative: Double?
        /// Against α = 1, paired: interleaved in one group, or by round (see PairedRounds).
        public var paired: PairedRatio?
        public var traffic: TrafficFigure?
        public var paperMs: Double?
        public var paperRelative: Double?
    }

    public struct Section: Sendable {
        public var setting: MeasurementSetting
        public var width: Double
        public var rows: [Row]

        public var title: String { "\(ReportFormat.model("mobilenext", width: width)), \(setting.description)" }
        public var reference: Row? { rows.first { $0.point.record.alpha == .one } }
    }

    public var sections: [Section] = []
    /// Why there is no table, when there is none.
    public var skippedReason: String?

    public static func build(_ c: ResultsCollection) -> Table7 {
        var groups: [String: (MeasurementSetting, Double, [IdentityMultiplier: [ReportPoint]])] = [:]
        for p in c.points where p.record.model == "mobilenext" {
            let setting = MeasurementSetting(p.record)
            let key = "\(setting)|\(p.record.width)"
            var g = groups[key] ?? (setting, p.record.width, [:])
            g.2[p.record.alpha, default: []].append(p)
            groups[key] = g
        }
        var t = Table7()
        for (setting, width, byAlpha) in groups.values where byAlpha.count >= 2 {
            let alphas = byAlpha.keys.sorted(by: >)
            var rows: [Row] = []
            for alpha in alphas {
                let candidates = byAlpha[alpha]!
                guard let chosen = PointSelection.forLatency(candidates) else { continue }
                let ordered = c.withSuperseded([chosen] + candidates.filter { $0.key != chosen.key })
                let paper = PaperReference.table7Applies(width: width, resolution: setting.resolution)
                    ? PaperReference.table7LatencyMs[alpha.description] : nil
                rows.append(Row(number: 0, point: chosen, relative: nil, paired: nil, traffic: MemoryTraffic.perInference(ordered),
                                paperMs: paper, paperRelative: nil))
            }
            let referencePoint = rows.first { $0.point.record.alpha == .one }?.point
            let reference = referencePoint?.record.latencyMs.median
            let paperReference = rows.first { $0.point.record.alpha == .one }?.paperMs
            for i in rows.indices {
                rows[i].relative = reference.map { rows[i].point.record.latencyMs.median / $0 }
                rows[i].paired = referencePoint.flatMap { PairedRounds.ratio(rows[i].point, to: $0, in: c) }
                if let p = rows[i].paperMs, let r = paperReference { rows[i].paperRelative = p / r }
            }
            t.sections.append(Section(setting: setting, width: width, rows: rows))
        }
        t.sections.sort { a, b in a.setting != b.setting ? a.setting < b.setting : a.width > b.width }
        var number = 0
        for s in t.sections.indices {
            for r in t.sections[s].rows.indices {
                number += 1
                t.sections[s].rows[r].number = number
            }
        }
        if t.sections.isEmpty {
            let nextAlphas = Set(c.points.filter { $0.record.model == "mobilenext" }.map(\.record.alpha))
            t.skippedReason = nextAlphas.isEmpty
                ? "no MobileNeXt points in the results (run `sandglass sweep --preset table7`)"
                : "no setting has MobileNeXt at two or more α (found only α = \(nextAlphas.sorted().map(\.description).joined(separator: ", "))); run `sandglass sweep --preset table7`"
        }
        return t
    }

    static let columns: [ReportColumn] = PointColumns.setting + [
        ReportColumn("No.", csv: "no"),
        ReportColumn("Model", csv: "model", numeric: false),
        ReportColumn("Tensor multiplier α", csv: "alpha", numeric: false),
    ] + PointColumns.counts + PointColumns.latency + [
        ReportColumn("Latency vs α = 1 (×)", csv: "latency_relative_to_alpha_1"),
        ReportColumn("Paired vs α = 1 (×) [95% CI]", csv: nil, numeric: false),
        ReportColumn(nil, csv: "paired_ratio_to_alpha_1"),
        ReportColumn(nil, csv: "paired_ratio_ci_low"),
        ReportColumn(nil, csv: "paired_ratio_ci_high"),
        ReportColumn("Pairs", csv: "paired_pairs"),
        ReportColumn("Pairing", csv: "paired_method", numeric: false),
        ReportColumn("Memory traffic (MB per inference)", csv: "memory_traffic_mb"),
        ReportColumn("Traffic source", csv: "memory_traffic_source", numeric: false),
        ReportColumn("Paper: Pixel 4 XL latency (ms)", csv: "paper_pixel4xl_latency_ms"),
        ReportColumn("Paper: latency vs α = 1 (×)", csv: "paper_latency_relative_to_alpha_1"),
        ReportColumn(nil, csv: "point_id", numeric: false),
    ]

    func table(_ s: Section) -> ReportTable {
        var table = ReportTable(Table7.columns)
        for row in s.rows {
            let p = row.point.record
            let identity = ["\(row.number)", ReportFormat.model(p.model, width: p.width), p.alpha.description]
            // Built in typed steps: Swift 6.0's type checker gives up on this row as one expression.
            let paired: PairedRatio? = row.paired
            let pairedCell: String = paired.map { ReportFormat.ratioWithCI($0.median, $0.ciLow, $0.ciHigh) } ?? ReportFormat.missing
            let pairsCell: String = paired.map { String($0.pairs) } ?? ReportFormat.missing
            let methodCell: String = paired.map { $0.method.rawValue } ?? ReportFormat.missing
            var comparison: [String] = [ReportFormat.ratio(row.relative), pairedCell]
            comparison += [ReportFormat.ratio(paired?.median), ReportFormat.ratio(paired?.ciLow), ReportFormat.ratio(paired?.ciHigh)]
            comparison += [pairsCell, methodCell]
            let trafficCells: [String] = [ReportFormat.megabytes(row.traffic?.bytes), row.traffic?.label ?? ReportFormat.missing]
            let paperCells: [String] = [ReportFormat.fixed(row.paperMs, 0), ReportFormat.ratio(row.paperRelative), p.id]
            var cells: [String] = PointColumns.settingCells(p) + identity
            cells += PointColumns.countCells(p)
            cells += PointColumns.latencyCells(p.latencyMs)
            table.add(cells + comparison + trafficCells + paperCells)
        }
        return table
    }

    public var csv: String? {
        ReportTable.concatenated(sections.map(table)).map(CSVTableWriter.render)
    }

    public var markdown: String {
        var out = "# Table 7, measured: MobileNeXt across the identity tensor multiplier α\n\n"
        out += "The paper's Table 7 (\(PaperReference.citation)) measured MobileNeXt-1.0 at α = 1, 1/2, 1/3 and 1/6 on a \(PaperReference.device) (mean of 10 images). "
        out += "Here each latency is the median of the samples in the results files, with the distribution-free 95% confidence interval of the median and the 90th percentile. "
        out += "The paper's latencies are reference columns, labelled as the paper's: compare the ratios to α = 1, not the absolute values. "
        out += "'Paired vs α = 1' is the median of each point's latency divided by α = 1's measured next to it, with the distribution-free 95% CI of that median: `interleaved` when the sweep measured the α values as one comparison group, alternated inference by inference in one process on one core (pairs = cycles; every latency then reflects caches that the other models' runs just used); `rounds` when it measured them in rounds (pairs = rounds, block medians). The pairing cancels the host's drift, which the pooled CI of the latency columns does not see: the paired ratio decides, and an effect below the run's A/A resolution is not called a change.\n\n"
        if let skippedReason { return out + "Not available: \(skippedReason).\n" }
        for s in sections {
            out += "## \(s.title)\n\n"
            out += MarkdownTableWriter.render(table(s)) + "\n"
            out += trend(s)
            let warnings = PointColumns.warningLines(s.rows.map { ($0.number, $0.point.record) })
            if !warnings.isEmpty { out += "\nWarnings:\n" + warnings.map { "- \($0)\n" }.joined() }
            out += "\n"
        }
        out += "Notes:\n"
        out += "- Params: parameters including BatchNorm γ and β (PyTorch's count); MAdds: multiply-accumulates of convolution and fully connected layers; shortcut adds: element-wise additions per inference. All from the results' model counts.\n"
        out += "- Memory traffic: `measured` (or `scaled`, `simulated`) is the sum of the layers' `\(MemoryTraffic.counterName)` counters (cache-line fills and write-backs × line size); `analytic` is the minimum the model must move per inference (weights, inputs, identity tensors, outputs in fp32; the shortcut add counted as its own operation), used where no counter gave the traffic. 1 MB = 10^6 bytes.\n"
        if let s = sections.first(where: { $0.width == 1.0 }), let p = s.rows.first?.point.record {
            out += "- Counts as the official code builds MobileNeXt-1.0: \(ReportFormat.millions(p.totals.params)) M parameters (\(ReportFormat.millions(p.totals.paramsConvFC)) M conv + FC) and \(ReportFormat.millions(p.totals.madds)) M MAdds; the paper prints \(ReportFormat.fixed(PaperReference.table7ParamsM, 1)) M and 300 M (the code and the paper differ; see the reference specification, §8).\n"
        }
        out += "- Paper columns apply to width 1.0 at 224 × 224 only; elsewhere they are empty.\n"
        return out
    }

    /// One line per section: the change from α = 1 to the smallest α, here and in the paper.
    func trend(_ s: Section) -> String {
        guard let first = s.reference, let last = s.rows.last, last.number != first.number else { return "" }
        let a = first.point.record.latencyMs, b = last.point.record.latencyMs
        let change = (b.median / a.median - 1) * 100
        var line = "α = 1 → \(last.point.record.alpha): \(ReportFormat.ms(a.median)) → \(ReportFormat.ms(b.median)) ms (\(ReportFormat.signedPercent(change))%, "
        if let p = last.paired {
            // Paired figures see the host's drift that pooled CIs miss: they decide.
            line += "paired \(p.basis): \(ReportFormat.signedPercent((p.median - 1) * 100))% "
            line += "[\(ReportFormat.signedPercent((p.ciLow - 1) * 100))%, \(ReportFormat.signedPercent((p.ciHigh - 1) * 100))%], "
            line += p.isChange ? "a measurable change)" : "not a measurable change at this run's resolution)"
        } else {
            line += PointSelection.disjoint(a, b) ? "the 95% CIs are disjoint)" : "within the overlap of the 95% CIs: not a measurable change)"
        }
        if let pa = first.paperMs, let pb = last.paperMs {
            line += "; the paper: \(ReportFormat.fixed(pa, 0)) → \(ReportFormat.fixed(pb, 0)) ms (\(ReportFormat.signedPercent((pb / pa - 1) * 100))%)"
        }
        return line + ".\n"
    }
}

extension Table7 {
    static let ownedPaths = ["table7.md", "table7.csv"]

    /// Table 7 with its two latency-versus-α plots, and the trend of its first two settings as headlines.
    var section: ReportSection {
        var s = ReportSection(title: "Table 7: MobileNeXt across α", markdownPath: "table7.md", links: [("CSV", "table7.csv")],
                              what: "params, MAdds, shortcut adds, latency (median, 95% CI, p90), relative to α = 1, memory traffic, the paper's Pixel 4 XL latencies")
        if let skippedReason {
            s.skipped = "Table 7 and the latency-versus-α plots: \(skippedReason)"
            return s
        }
        s.files["table7.md"] = markdown
        s.files["table7.csv"] = csv
        s.files[LatencyVersusAlphaPlot.path] = LatencyVersusAlphaPlot.absolute(self)
        s.files[LatencyVersusAlphaPlot.relativePath] = LatencyVersusAlphaPlot.relative(self)
        for section in sections.prefix(2) {
            let line = trend(section)
            if !line.isEmpty { s.headlines.append("Table 7, \(section.title): " + line.trimmingCharacters(in: .newlines)) }
        }
        return s
    }
}
