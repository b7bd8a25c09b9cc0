// Table 4 of the paper, measured: MobileNetV2-1.0 and MobileNeXt-1.0 in fp32 and int8 (post-
// training quantization: int8 weights per output channel, 8-bit activations per tensor). The
// paper gives top-1 accuracy only; here each row gets its latency, int8's paired ratio to the
// same model's fp32 (alternated in one comparison group: `sandglass sweep --preset table4`), and
// the paper's accuracies as labelled reference columns. The int8 models here are calibrated on
// seeded random inputs with random weights: their accuracy is not the paper's, their cost is.
import SandglassHarness
import SandglassParameters

public struct Table4: Sendable {
    public struct Row: Sendable {
        public var number: Int
        public var point: ReportPoint
        /// int8 over fp32 of the same model, paired (nil on fp32 rows and where unpaired).
        public var paired: PairedRatio?
        /// Pooled medians' ratio to the same model's fp32 (secondary: it carries the host's drift).
        public var pooledRatio: Double?
        public var paperTop1: Double?
    }

    public struct Section: Sendable {
        /// The setting with its dtype set to f32: the section holds both dtypes.
        public var setting: MeasurementSetting
        public var rows: [Row]
        public var title: String { setting.description }
    }

    public var sections: [Section] = []
    public var skippedReason: String?
    /// Whether the results hold any int8 point: float-only results skip Table 4 without a word.
    public var hasInt8Points = false
    static let ownedPaths = ["table4.md", "table4.csv"]
    static let models = ["mobilenetv2", "mobilenext"]

    public static func build(_ c: ResultsCollection) -> Table4 {
        var groups: [MeasurementSetting: [String: [ElementType: [ReportPoint]]]] = [:]
        for p in c.points where p.record.width == 1.0 && p.record.alpha == .one && models.contains(p.record.model) {
            var setting = MeasurementSetting(p.record)
            setting.dtype = .f32
            groups[setting, default: [:]][p.record.model, default: [:]][p.record.dtype ?? .f32, default: []].append(p)
        }
        var t = Table4()
        t.hasInt8Points = c.points.contains { $0.record.dtype == .int8 }
        for (setting, byModel) in groups {
            var rows: [Row] = []
            for model in models {
                guard let byType = byModel[model] else { continue }
                let f32 = byType[.f32].flatMap(PointSelection.forLatency)
                let int8 = byType[.int8].flatMap(PointSelection.forLatency)
                // Int8 first, as the paper orders its rows.
                if let int8 {
                    rows.append(Row(number: 0, point: int8, paired: f32.flatMap { PairedRounds.ratio(any: int8, to: $0, in: c) },
                                    pooledRatio: f32.map { int8.record.latencyMs.median / $0.record.latencyMs.median },
                                    paperTop1: PaperReference.table4Top1[model]?[.int8]))
                }
                if let f32 { rows.append(Row(number: 0, point: f32, paperTop1: PaperReference.table4Top1[model]?[.f32])) }
            }
            guard rows.contains(where: { $0.point.record.dtype == .int8 }) else { continue }
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
            t.skippedReason = "no int8 points of MobileNetV2-1.0 or MobileNeXt-1.0 (α = 1) in the results; run `sandglass sweep --preset table4`"
        }
        return t
    }

    static let columns: [ReportColumn] = PointColumns.setting + [
        ReportColumn("No.", csv: "no"),
        ReportColumn("Model", csv: "model", numeric: false),
        ReportColumn("Precision (W/A)", csv: "precision", numeric: false),
    ] + PointColumns.latency + [
        ReportColumn("Latency vs fp32 (×) [95% CI]", csv: nil, numeric: false),
        ReportColumn(nil, csv: "paired_ratio_vs_fp32"),
        ReportColumn(nil, csv: "paired_ci_low"),
        ReportColumn(nil, csv: "paired_ci_high"),
        ReportColumn("Pairing", csv: "paired_method", numeric: false),
        ReportColumn("Pooled medians vs fp32 (×)", csv: "pooled_ratio_vs_fp32"),
        ReportColumn("Paper: top-1 (%)", csv: "paper_top1_percent"),
        ReportColumn(nil, csv: "point_id", numeric: false),
    ]

    func table(_ s: Section) -> ReportTable {
        var table = ReportTable(Table4.columns)
        for row in s.rows {
            let p = row.point.record
            let precision = p.dtype == .int8 ? "INT8/INT8" : "FP32/FP32"
            let ratio: String = row.paired.map { ReportFormat.ratioWithCI($0.median, $0.ciLow, $0.ciHigh) }
                ?? (p.dtype == .int8 ? ReportFormat.missing : "1 (baseline)")
            var cells: [String] = PointColumns.settingCells(p) + ["\(row.number)", ReportFormat.model(p.model, width: p.width), precision]
            cells += PointColumns.latencyCells(p.latencyMs)
            cells += [ratio, ReportFormat.ratio(row.paired?.median), ReportFormat.ratio(row.paired?.ciLow),
                      ReportFormat.ratio(row.paired?.ciHigh), row.paired?.method.rawValue ?? ReportFormat.missing]
            cells += [ReportFormat.ratio(row.pooledRatio), ReportFormat.fixed(row.paperTop1, 2), p.id]
            table.add(cells)
        }
        return table
    }

    public var csv: String? { ReportTable.concatenated(sections.map(table)).map(CSVTableWriter.render) }

    public var markdown: String {
        var out = "# Table 4, measured: MobileNetV2 and MobileNeXt in fp32 and int8\n\n"
        out += "The paper's Table 4 (\(PaperReference.citation)) gives the top-1 accuracy of MobileNetV2-1.0 and MobileNeXt-1.0 after post-training quantization to 8-bit weights and activations, and in fp32. "
        out += "Here each row is measured on this hardware: int8 weights symmetric per output channel, activations 8-bit per tensor (Sandglass's scheme: SandglassKernels/Quantization.swift), calibrated on seeded random inputs. "
        out += "'Latency vs fp32' is the median over pairs of int8 / fp32 of the same model, alternated inference by inference in one comparison group, with its distribution-free 95% CI: it decides. "
        out += "The paper's accuracies are reference columns, labelled as the paper's: these models have random weights, so their accuracy is not measured here, only their cost.\n\n"
        if let skippedReason { return out + "Not available: \(skippedReason).\n" }
        for s in sections {
            out += "## \(s.title)\n\n"
            out += MarkdownTableWriter.render(table(s)) + "\n"
            let warnings = PointColumns.warningLines(s.rows.map { ($0.number, $0.point.record) })
            if !warnings.isEmpty { out += "Warnings:\n" + warnings.map { "- \($0)\n" }.joined() + "\n" }
        }
        out += "Notes:\n"
        out += "- int8 keeps the float model's graph: the shortcut add requantizes both inputs to the output's scale (its cost grows relative to the 1×1 layers, whose arithmetic is four times denser); Table 7 in int8 (`sandglass sweep --preset table7-int8`) shows what the identity multiplier α does there.\n"
        out += "- The paper's top-1 columns apply to width 1.0 at 224 × 224 only.\n"
        return out
    }

    /// The README's headline: int8 / fp32 per model in the first setting.
    var headline: String? {
        guard let s = sections.first else { return nil }
        let cells: [String] = s.rows.compactMap { r -> String? in
            guard r.point.record.dtype == .int8 else { return nil }
            let name = ReportFormat.model(r.point.record.model, width: r.point.record.width)
            if let p = r.paired { return "\(name) \(ReportFormat.ratioWithCI(p.median, p.ciLow, p.ciHigh))" }
            return "\(name) \(ReportFormat.ratio(r.pooledRatio)) (pooled medians)"
        }
        return "Table 4, \(s.title): int8 latency relative to fp32 — " + cells.joined(separator: ", ") + "."
    }

    var section: ReportSection {
        var s = ReportSection(title: "Table 4: MobileNetV2 and MobileNeXt in fp32 and int8", markdownPath: "table4.md",
                              links: [("CSV", "table4.csv")],
                              what: "latency in fp32 and int8, int8 relative to fp32 (paired), the paper's top-1 after quantization")
        if let skippedReason {
            if hasInt8Points { s.skipped = "Table 4: \(skippedReason)" }
            return s
        }
        s.files["table4.md"] = markdown
        s.files["table4.csv"] = csv
        if let headline { s.headlines = [headline] }
        return s
    }
}
