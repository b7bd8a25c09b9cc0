// Latency versus MAdds for both architectures across width multipliers: the paper's Figure 1
// with measured latency on the y axis instead of accuracy. One series per architecture (and
// setting), points labelled with their width, 95% CI bars; both axes from zero.

public enum LatencyVersusMAddsPlot {
    public static let path = "plots/latency-vs-madds.svg"

    public static func render(_ t: Table3) -> String? {
        guard !t.sections.isEmpty else { return nil }
        struct Series { var name: String; var color: String; var rows: [Table3.Row] }
        var series: [Series] = []
        for s in t.sections {
            for model in Table3.models.reversed() {
                let rows = s.rows.filter { $0.point.record.model == model }.sorted { $0.point.record.totals.madds < $1.point.record.totals.madds }
                guard !rows.isEmpty else { continue }
                let name = ReportFormat.architecture(model) + (t.sections.count > 1 ? " (\(s.setting.description))" : "")
                series.append(Series(name: name, color: PlotPalette.color(series.count), rows: rows))
            }
        }
        let frame = PlotFrame()
        let title = "Latency versus MAdds across width multipliers"
        let subtitle = "like the paper's Figure 1, with measured latency instead of accuracy; labels: width; bars: 95% CI of the median"
            + (t.sections.count == 1 ? "; \(t.sections[0].setting.description)" : "")
        var svg = SVGDocument(width: frame.width, height: frame.height, title: title, description: subtitle)
        let all = series.flatMap(\.rows)
        let x = PlotScale.linear(all.map { Double($0.point.record.totals.madds) / 1e6 }, from: frame.plotLeft, to: frame.plotRight, includeZero: true)
        let y = PlotScale.linear(all.flatMap { [$0.point.record.latencyMs.ciHigh, $0.point.record.latencyMs.median] },
                                 from: frame.plotBottom, to: frame.plotTop, includeZero: true)
        frame.drawAxes(&svg, title: title, subtitle: subtitle, x: x, y: y, xLabel: "MAdds per inference (millions)",
                       yLabel: "Latency, median (ms)")
        for s in series {
            svg.openGroup(series: s.name, className: "series")
            let pts = s.rows.map { (x(Double($0.point.record.totals.madds) / 1e6), y($0.point.record.latencyMs.median)) }
            svg.polyline(pts, stroke: s.color)
            for r in s.rows {
                let p = r.point.record
                let px = x(Double(p.totals.madds) / 1e6)
                svg.line(px, y(p.latencyMs.ciLow), px, y(p.latencyMs.ciHigh), stroke: s.color, width: 1.2)
                svg.line(px - 4, y(p.latencyMs.ciLow), px + 4, y(p.latencyMs.ciLow), stroke: s.color, width: 1.2)
                svg.line(px - 4, y(p.latencyMs.ciHigh), px + 4, y(p.latencyMs.ciHigh), stroke: s.color, width: 1.2)
                svg.circle(px, y(p.latencyMs.median), r: 4, fill: s.color,
                           tooltip: "\(ReportFormat.model(p.model, width: p.width)): \(ReportFormat.fixed(Double(p.totals.madds) / 1e6, 1)) M MAdds, \(ReportFormat.ms(p.latencyMs.median)) ms")
                svg.text(ReportFormat.width(p.width), px + 6, y(p.latencyMs.median) - 6, size: 10, fill: s.color)
            }
            svg.closeGroup()
        }
        frame.drawLegend(&svg, series.map { ($0.name, $0.color, .point) })
        return svg.render()
    }
}
