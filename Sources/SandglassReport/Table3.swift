// Table 3 of the paper, measured: MobileNeXt and MobileNetV2 across width multipliers, with
// parameters, MAdds, latency, and MobileNeXt's speed relative to MobileNetV2 at equal width
// (MobileNetV2's median over MobileNeXt's: above 1, MobileNeXt is faster). The paper's
// parameter and MAdd counts are labelled reference columns. MobileNeXt rows use α = 1 (the
// architecture as the paper's Table 3 has it); MobileNetV2 rows its full shortcut (α = 1).
import SandglassHarness

public struct Table3: Sendable {
    public struct Row: Sendable {
        public var number: Int
        public var point: ReportPoint
        /// On MobileNeXt rows: MobileNetV2's median / MobileNeXt's at the same width.
        public var speedVersusV2: Double?
        public var beyondCIs: Bool?
        /// MobileNeXt's latency over MobileNetV2's, paired (one comparison group, or rounds).
        public var paired: PairedRatio?

        /// The paired figure as a speed (MobileNetV2 / MobileNeXt): median and CI inverted.
        public var pairedSpeed: (median: Double, low: Double, high: Double)? {
            paired.map { (1 / $0.median, 1 / $0.ciHigh, 1 / $0.ciLow) }
        }
    }

    public struct Section: Sendable {
        public var setting: MeasurementSetting
        public var rows: [Row]
        public var title: String { setting.description }
    }

    public var sections: [Section] = []
    public var skippedReason: String?

    static let models = ["mobilenetv2", "mobilenext"]

    public static func build(_ c: ResultsCollection) -> Table3 {
        var groups: [MeasurementSetting: [String: [ReportPoint]]] = [:]
        for p in c.points where models.contains(p.record.model) && p.record.alpha == .one {
            groups[MeasurementSetting(p.record), default: [:]]["\(p.record.model)|\(p.record.width)", default: []].append(p)
        }
        var t = Table3()
        for (setting, byModelWidth) in groups {
            let chosen = byModelWidth.values.compactMap(PointSelection.forLatency)
            let next = Dictionary(chosen.filter { $0.record.model == "mobilenext" }.map { ($0.record.width, $0) }, uniquingKeysWith: { a, _ in a })
            let v2 = Dictionary(chosen.filter { $0.record.model == "mobilenetv2" }.map { ($0.record.width, $0) }, uniquingKeysWith: { a, _ in a })
            guard !Set(next.keys).isDisjoint(with: v2.keys) else { continue }
            var rows: [Row] = []
            for model in models {
                let points = (model == "mobilenext" ? next : v2).sorted { $0.key > $1.key }.map(\.value)
                for p in points {
                    var row = Row(number: 0, point: p)
                    if model == "mobilenext", let other = v2[p.record.width] {
                        row.speedVersusV2 = other.record.latencyMs.median / p.record.latencyMs.median
                        row.beyondCIs = PointSelection.disjoint(other.record.latencyMs, p.record.latencyMs)
                        row.paired = PairedRounds.ratio(any: p, to: other, in: c)
                    }
                    rows.append(row)
                }
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
            let found = Set(c.points.map { "\(ReportFormat.model($0.record.model, width: $0.record.width))" }).sorted()
            t.skippedReason = "no setting has both MobileNeXt (α = 1) and MobileNetV2 at a common width (the results hold \(found.joined(separator: ", "))); run `sandglass sweep --preset table3`"
        }
        return t
    }

    static let columns: [ReportColumn] = PointColumns.setting + [
        ReportColumn("No.", csv: "no"),
        ReportColumn("Model", csv: "model", numeric: false),
        ReportColumn("Width multiplier", csv: "width"),
    ] + PointColumns.counts + PointColumns.latency + [
        ReportColumn("MobileNeXt speed vs MobileNetV2 at equal width (×)", csv: "mobilenext_speed_vs_mobilenetv2"),
        ReportColumn("Difference beyond 95% CIs", csv: "difference_beyond_cis", numeric: false),
        ReportColumn("Paired speed vs MobileNetV2 (×) [95% CI]", csv: nil, numeric: false),
        ReportColumn(nil, csv: "paired_speed_vs_mobilenetv2"),
        ReportColumn(nil, csv: "paired_speed_ci_low"),
        ReportColumn(nil, csv: "paired_speed_ci_high"),
        ReportColumn("Pairing", csv: "paired_method", numeric: false),
        ReportColumn("Paper: params (M)", csv: "paper_params_m"),
        ReportColumn("Paper: MAdds (M)", csv: "paper_madds_m"),
        ReportColumn(nil, csv: "point_id", numeric: false),
    ]

    func table(_ s: Section) -> ReportTable {
        var table = ReportTable(Table3.columns)
        for row in s.rows {
            let p = row.point.record
            let paper = p.resolution == 224 ? PaperReference.table3[p.model]?[p.width] : nil
            let identity = ["\(row.number)", ReportFormat.architecture(p.model), ReportFormat.width(p.width)]
            // Typed steps: Swift 6.0's type checker gives up on long cell expressions.
            let speed = row.pairedSpeed
            let pairedCell: String = speed.map { ReportFormat.ratioWithCI($0.median, $0.low, $0.high) } ?? ReportFormat.missing
            let pairedCells: [String] = [pairedCell, ReportFormat.ratio(speed?.median), ReportFormat.ratio(speed?.low),
                                         ReportFormat.ratio(speed?.high), row.paired?.method.rawValue ?? ReportFormat.missing]
            var cells: [String] = PointColumns.settingCells(p) + identity + PointColumns.countCells(p)
            cells += PointColumns.latencyCells(p.latencyMs)
            cells += [ReportFormat.ratio(row.speedVersusV2), row.beyondCIs.map { $0 ? "yes" : "no" } ?? ReportFormat.missing]
            cells += pairedCells
            cells += [ReportFormat.fixed(paper?.paramsM, 1), ReportFormat.fixed(paper?.maddsM, 0), p.id]
            table.add(cells)
        }
        return table
    }

    public var csv: String? { ReportTable.concatenated(sections.map(table)).map(CSVTableWriter.render) }

    public var markdown: String {
        var out = "# Table 3, measured: MobileNeXt and MobileNetV2 across width multipliers\n\n"
        out += "The paper's Table 3 compares the two architectures at widths 0.35 to 1.4 by parameters, MAdds and accuracy; here each model is measured on this hardware. "
        out += "MobileNeXt speed vs MobileNetV2 is MobileNetV2's median latency divided by MobileNeXt's at the same width: above 1, MobileNeXt is faster. "
        out += "Where the two were measured paired (one comparison group, alternated inference by inference, or rounds), the paired column gives the median of the per-pair speed ratios with its 95% CI: it decides, since the pooled medians carry the host's drift. "
        out += "The paper's counts are reference columns, labelled as the paper's.\n\n"
        if let skippedReason { return out + "Not available: \(skippedReason).\n" }
        for s in sections {
            out += "## \(s.title)\n\n"
            out += MarkdownTableWriter.render(table(s)) + "\n"
            let pairs = s.rows.filter { $0.speedVersusV2 != nil }
            if !pairs.isEmpty {
                let line = pairs.map { r -> String in
                    let width = ReportFormat.width(r.point.record.width)
                    if let p = r.paired, let speed = r.pairedSpeed {
                        let verdict = p.isChange ? "" : ", not distinguishable at this run's resolution"
                        return "\(width): \(ReportFormat.ratioWithCI(speed.median, speed.low, speed.high))× (paired \(p.basis)\(verdict))"
                    }
                    return "\(width): \(ReportFormat.ratio(r.speedVersusV2))×\(r.beyondCIs == true ? "" : " (within the CIs)")"
                }.joined(separator: "; ")
                out += "MobileNeXt speed vs MobileNetV2 by width — \(line).\n"
            }
            let warnings = PointColumns.warningLines(s.rows.map { ($0.number, $0.point.record) })
            if !warnings.isEmpty { out += "\nWarnings:\n" + warnings.map { "- \($0)\n" }.joined() }
            out += "\n"
        }
        out += "Notes:\n"
        out += "- Params include BatchNorm γ and β (PyTorch's count); MAdds are convolution and fully connected multiply-accumulates; both from the results' model counts. "
        out += "The paper's counts differ from what the official code builds at several widths (and its MobileNetV2 rows come from the MobileNetV2 paper): see the reference specification, §8.\n"
        out += "- Latency: \(PaperReference.table3LatencyNote).\n"
        out += "- MobileNeXt points with α ≠ 1 are not in this table (see Table 7).\n"
        return out
    }
}

extension Table3 {
    static let ownedPaths = ["table3.md", "table3.csv"]

    /// Table 3 (its latency-versus-MAdds plot is the generator's, which notes what it leaves
    /// out), and MobileNeXt's speed per width in its first two settings as headlines.
    var section: ReportSection {
        var s = ReportSection(title: "Table 3: MobileNeXt and MobileNetV2 across widths", markdownPath: "table3.md",
                              links: [("CSV", "table3.csv")],
                              what: "params, MAdds, latency, MobileNeXt's speed relative to MobileNetV2 at equal width, the paper's counts")
        if let skippedReason {
            s.skipped = "Table 3 and the latency-versus-MAdds plot: \(skippedReason)"
            return s
        }
        s.files["table3.md"] = markdown
        s.files["table3.csv"] = csv
        for section in sections.prefix(2) {
            let pairs = section.rows.filter { $0.speedVersusV2 != nil }
            guard !pairs.isEmpty else { continue }
            // Paired figures where measured paired (they decide); pooled medians otherwise.
            let cells: [String] = pairs.map { r -> String in
                let width = ReportFormat.width(r.point.record.width)
                if let p = r.paired, let speed = r.pairedSpeed {
                    let verdict: String = p.isChange ? "" : ", not distinguishable"
                    return "\(width): \(ReportFormat.ratioWithCI(speed.median, speed.low, speed.high)) (paired\(verdict))"
                }
                return "\(width): \(ReportFormat.ratio(r.speedVersusV2))\(r.beyondCIs == true ? "" : " (within CIs)")"
            }
            s.headlines.append("Table 3, \(section.title): MobileNeXt speed vs MobileNetV2 (×, above 1 = MobileNeXt faster) — " + cells.joined(separator: ", ") + ".")
        }
        return s
    }
}
