// Table 6 of the paper, measured: the models that run here at width 1.0 (α = 1) side by side,
// by parameters and MAdds (beside the paper's printed values and top-1), latency relative to
// MobileNeXt-1.0 (paired where they were measured in one comparison group), and MAdds per
// millisecond. The paper gives no latency for Table 6; this is the column it lacks.
import SandglassHarness

public struct Table6: Sendable {
    public struct Row: Sendable {
        public var number: Int
        public var point: ReportPoint
        /// Latency over MobileNeXt-1.0's, paired (nil on the baseline row and where unpaired).
        public var paired: PairedRatio?
        /// Pooled medians' ratio to MobileNeXt-1.0's (secondary: it carries the host's drift).
        public var pooledRatio: Double?
    }

    public struct Section: Sendable {
        public var setting: MeasurementSetting
        public var rows: [Row]
        public var title: String { setting.description }
    }

    public var sections: [Section] = []
    public var skippedReason: String?

    static let baseline = "mobilenext"
    static let ownedPaths = ["table6.md", "table6.csv"]

    public static func build(_ c: ResultsCollection) -> Table6 {
        var groups: [MeasurementSetting: [String: [ReportPoint]]] = [:]
        for p in c.points where p.record.width == 1.0 && p.record.alpha == .one {
            groups[MeasurementSetting(p.record), default: [:]][p.record.model, default: []].append(p)
        }
        var t = Table6()
        for (setting, byModel) in groups {
            let chosen = byModel.values.compactMap(PointSelection.forLatency)
            guard chosen.count >= 2, let base = chosen.first(where: { $0.record.model == baseline }) else { continue }
            // MobileNeXt first, then the others by latency.
            let others = chosen.filter { $0.record.model != baseline }.sorted { $0.record.latencyMs.median < $1.record.latencyMs.median }
            var rows = [Row(number: 0, point: base)]
            for p in others {
                rows.append(Row(number: 0, point: p, paired: PairedRounds.ratio(any: p, to: base, in: c),
                                pooledRatio: p.record.latencyMs.median / base.record.latencyMs.median))
            }
            t.sections.append(Section(setting: setting, rows: rows))
        }
        t.sections.sort { $0.setting < $1.setting }
        var number = 0
        for s in t.sections.indices {
            for r in t.sections[s].rows.indices {
                number += 1
                t.sections[s].rows[r].number = number
            }
        }
        if t.sections.isEmpty {
            t.skippedReason = "no setting has MobileNeXt-1.0 (α = 1) beside another model at width 1.0; run `sandglass sweep --preset table6`"
        }
        return t
    }

    static let columns: [ReportColumn] = PointColumns.setting + [
        ReportColumn("No.", csv: "no"),
        ReportColumn("Model", csv: "model", numeric: false),
    ] + PointColumns.counts + PointColumns.latency + [
        ReportColumn("Latency vs MobileNeXt-1.0 (×) [95% CI]", csv: nil, numeric: false),
        ReportColumn(nil, csv: "paired_ratio_vs_mobilenext"),
        ReportColumn(nil, csv: "paired_ci_low"),
        ReportColumn(nil, csv: "paired_ci_high"),
        ReportColumn("Pairing", csv: "paired_method", numeric: false),
        ReportColumn("Pooled medians vs MobileNeXt-1.0 (×)", csv: "pooled_ratio_vs_mobilenext"),
        ReportColumn("MAdds per ms (M)", csv: "madds_m_per_ms"),
        ReportColumn("Paper: table", csv: "paper_table", numeric: false),
        ReportColumn("Paper: params (M)", csv: "paper_params_m"),
        ReportColumn("Paper: MAdds (M)", csv: "paper_madds_m"),
        ReportColumn("Paper: top-1 (%)", csv: "paper_top1_percent"),
        ReportColumn(nil, csv: "point_id", numeric: false),
    ]

    func table(_ s: Section) -> ReportTable {
        var table = ReportTable(Table6.columns)
        for row in s.rows {
            let p = row.point.record
            let key = ReportFormat.onnxStem(p.model) ?? p.model
            let paper = p.resolution == 224 ? PaperReference.table6[key] : nil
            let ratio: String = row.paired.map { ReportFormat.ratioWithCI($0.median, $0.ciLow, $0.ciHigh) }
                ?? (row.pooledRatio == nil ? "1 (baseline)" : ReportFormat.missing)
            let pairedCells: [String] = [ratio, ReportFormat.ratio(row.paired?.median), ReportFormat.ratio(row.paired?.ciLow),
                                         ReportFormat.ratio(row.paired?.ciHigh), row.paired?.method.rawValue ?? ReportFormat.missing]
            let maddsPerMs = Double(p.totals.madds) / 1e6 / p.latencyMs.median
            var cells: [String] = PointColumns.settingCells(p) + ["\(row.number)", ReportFormat.model(p.model, width: p.width)]
            cells += PointColumns.countCells(p) + PointColumns.latencyCells(p.latencyMs) + pairedCells
            cells += [ReportFormat.ratio(row.pooledRatio), ReportFormat.fixed(maddsPerMs, 1)]
            cells += [paper?.table ?? ReportFormat.missing, ReportFormat.fixed(paper?.paramsM, 2), ReportFormat.fixed(paper?.maddsM, 0),
                      ReportFormat.fixed(paper?.top1, 2), p.id]
            table.add(cells)
        }
        return table
    }

    public var csv: String? { ReportTable.concatenated(sections.map(table)).map(CSVTableWriter.render) }

    public var markdown: String {
        var out = "# Table 6, measured: the models that run here, beside MobileNeXt-1.0\n\n"
        out += "The paper's Table 6 compares mobile networks by parameters, MAdds and accuracy only. Here each model that ran at width 1.0 (α = 1) is measured on this hardware: "
        out += "its latency relative to MobileNeXt-1.0 in the same setting, paired where the two were alternated in one comparison group (the median of the per-pair ratios with its 95% CI: it decides), "
        out += "and how many MAdds it computes per millisecond. The paper's parameters, MAdds and top-1 accuracy are reference columns, labelled as the paper's (its latency columns do not exist).\n\n"
        if let skippedReason { return out + "Not available: \(skippedReason).\n" }
        for s in sections {
            out += "## \(s.title)\n\n"
            out += MarkdownTableWriter.render(table(s)) + "\n"
            let warnings = PointColumns.warningLines(s.rows.map { ($0.number, $0.point.record) })
            if !warnings.isEmpty { out += "Warnings:\n" + warnings.map { "- \($0)\n" }.joined() + "\n" }
        }
        out += "Notes:\n"
        out += "- Params include BatchNorm γ and β (PyTorch's count); MAdds are convolution and fully connected multiply-accumulates (squeeze-and-excite's two small layers included, its channel-wise scale not); both from the results' model counts. "
        out += "An imported model counts what its file holds: where the exporter folded BatchNorm into the convolutions, one bias per channel stands for γ and β, so its count is a little below PyTorch's (torchvision's EfficientNet-B0 file: 5,267,540; PyTorch: 5,288,548).\n"
        out += "- MobileNeXt-1.0+SE is Sandglass's MobileNeXt† (SE after each first depthwise conv, squeezed to a quarter of the bottleneck: Reports/model-variants/). The paper's † model is built on EfficientNet-b0's layout, so its 330 M MAdds are not reachable by adding SE to MobileNeXt.\n"
        out += "- The paper's Table 5 row (MobileNetV2 with one more depthwise conv per block) is shown where that model ran. Imported models (\"(ONNX)\") get the paper's row only where the file is the model the paper lists (torchvision's efficientnet_b0, and the export script's mobilenet_v1); torchvision's MobileNetV3-Large is width 1.0 (the paper lists 0.75) and its MnasNet-1.0 is B1 (the paper lists A1).\n"
        return out
    }

    /// The README's headline: each model's paired latency relative to MobileNeXt-1.0 in the first setting.
    var headline: String? {
        guard let s = sections.first else { return nil }
        let cells: [String] = s.rows.dropFirst().map { r -> String in
            let name = ReportFormat.model(r.point.record.model, width: r.point.record.width)
            if let p = r.paired {
                return "\(name) \(ReportFormat.ratioWithCI(p.median, p.ciLow, p.ciHigh))\(p.isChange ? "" : " (not distinguishable)")"
            }
            return "\(name) \(ReportFormat.ratio(r.pooledRatio)) (pooled medians)"
        }
        return "Table 6, \(s.title): latency relative to MobileNeXt-1.0 — " + cells.joined(separator: ", ") + "."
    }

    var section: ReportSection {
        var s = ReportSection(title: "Table 6: the models that run here, beside MobileNeXt-1.0", markdownPath: "table6.md",
                              links: [("CSV", "table6.csv")],
                              what: "params, MAdds, latency relative to MobileNeXt-1.0 (paired), MAdds per ms, the paper's counts and top-1")
        if let skippedReason {
            s.skipped = "Table 6: \(skippedReason)"
            return s
        }
        s.files["table6.md"] = markdown
        s.files["table6.csv"] = csv
        s.files[Table6Plot.maddsPath] = Table6Plot.render(self, byParams: false)
        s.files[Table6Plot.paramsPath] = Table6Plot.render(self, byParams: true)
        s.plots = [("Table 6: latency relative to MobileNeXt-1.0 versus MAdds", Table6Plot.maddsPath),
                   ("Table 6: latency relative to MobileNeXt-1.0 versus parameters", Table6Plot.paramsPath)]
        if let headline { s.headlines = [headline] }
        return s
    }
}
