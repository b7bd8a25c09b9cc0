// Latency versus MAdds for both architectures across width multipliers: the paper's Figure 1
// with measured latency on the y axis instead of accuracy. One series per architecture (and
// setting), points labelled with their width, 95% CI bars; both axes from zero. A setting
// measured at one width only has no trend across widths: it is left out (the plot and the
// report's README say so, and its latencies stay in Table 3), and with no setting at two
// widths or more the plot is skipped with that reason. Width labels go where they keep clear
// of other labels, markers, lines and error bars (LabelPlacer); any with no room are listed.

public enum LatencyVersusMAddsPlot {
    public static let path = "plots/latency-vs-madds.svg"

    static func widths(_ s: Table3.Section) -> [Double] {
        Set(s.rows.map(\.point.record.width)).sorted(by: >)
    }

    static func widthList(_ ws: [Double]) -> String { ws.map(ReportFormat.width).joined(separator: ", ") }

    /// The sections drawn (at two widths or more), and a note for each one left out.
    public static func plan(_ t: Table3) -> (drawn: [Table3.Section], leftOut: [String]) {
        var drawn: [Table3.Section] = []
        var leftOut: [String] = []
        for s in t.sections {
            let ws = widths(s)
            if ws.count >= 2 {
                drawn.append(s)
            } else {
                let width = widthList(ws)
                leftOut.append("\(s.setting.description): one width only (\(width)), so no trend across widths to draw; its latencies are in Table 3")
            }
        }
        return (drawn, leftOut)
    }

    /// Why the plot is not drawn (no setting measured at two widths or more); nil when it is.
    public static func skipReason(_ t: Table3) -> String? {
        guard !t.sections.isEmpty else { return "no Table 3 points" }
        guard plan(t).drawn.isEmpty else { return nil }
        let ws = Set(t.sections.flatMap(widths)).sorted(by: >)
        let setting = t.sections.count == 1 ? "the one setting" : "each setting"
        return "\(setting) has one width only (\(widthList(ws))): a latency-versus-MAdds line needs two widths or more; the latencies are in Table 3"
    }

    struct Series {
        var name: String
        var short: String
        var color: String
        var rows: [Table3.Row]
    }

    public static func render(_ t: Table3) -> String? {
        let (sections, leftOut) = plan(t)
        guard !sections.isEmpty else { return nil }
        var series: [Series] = []
        for s in sections {
            for model in Table3.models.reversed() {
                let rows = s.rows.filter { $0.point.record.model == model }.sorted { $0.point.record.totals.madds < $1.point.record.totals.madds }
                guard !rows.isEmpty else { continue }
                let architecture = ReportFormat.architecture(model)
                let name = sections.count > 1 ? "\(architecture) (\(s.setting.description))" : architecture
                series.append(Series(name: name, short: architecture, color: PlotPalette.color(series.count), rows: rows))
            }
        }
        var frame = PlotFrame()
        let title = "Latency versus MAdds across width multipliers"
        var subtitle = "like the paper's Figure 1, with measured latency instead of accuracy; labels: width; bars: 95% CI of the median"
        if sections.count == 1 { subtitle += "; " + sections[0].setting.description }
        frame.fitSubtitle(subtitle)
        var svg = SVGDocument(width: frame.width, height: frame.height, title: title, description: subtitle)
        let all = series.flatMap(\.rows)
        let x = PlotScale.linear(all.map { Double($0.point.record.totals.madds) / 1e6 }, from: frame.plotLeft, to: frame.plotRight, includeZero: true)
        let y = PlotScale.linear(all.flatMap { [$0.point.record.latencyMs.ciHigh, $0.point.record.latencyMs.median] },
                                 from: frame.plotBottom, to: frame.plotTop, includeZero: true)
        frame.drawAxes(&svg, title: title, subtitle: subtitle, x: x, y: y, xLabel: "MAdds per inference (millions)",
                       yLabel: "Latency, median (ms)")
        frame.drawLegend(&svg, series.map { ($0.name, $0.color, .point) })

        func position(_ r: Table3.Row) -> (x: Double, y: Double) {
            (x(Double(r.point.record.totals.madds) / 1e6), y(r.point.record.latencyMs.median))
        }
        // Everything a width label must keep clear of: markers, the series' lines, CI bars.
        var placer = frame.labelPlacer(svg)
        for s in series {
            let pts = s.rows.map(position)
            for p in pts { placer.reserve(TextBox(minX: p.x - 5, minY: p.y - 5, maxX: p.x + 5, maxY: p.y + 5)) }
            for (a, b) in zip(pts, pts.dropFirst()) { placer.reserveSegment(a.x, a.y, b.x, b.y) }
            for r in s.rows {
                let px = position(r).x
                placer.reserveSegment(px, y(r.point.record.latencyMs.ciLow), px, y(r.point.record.latencyMs.ciHigh))
            }
        }

        for s in series {
            svg.openGroup(series: s.name, className: "series")
            let pts = s.rows.map(position)
            svg.polyline(pts, stroke: s.color)
            for r in s.rows {
                let p = r.point.record
                let (px, py) = position(r)
                let low = y(p.latencyMs.ciLow), high = y(p.latencyMs.ciHigh)
                svg.line(px, low, px, high, stroke: s.color, width: 1.2)
                svg.line(px - 4, low, px + 4, low, stroke: s.color, width: 1.2)
                svg.line(px - 4, high, px + 4, high, stroke: s.color, width: 1.2)
                let madds = ReportFormat.fixed(Double(p.totals.madds) / 1e6, 1)
                let tip: String = "\(ReportFormat.model(p.model, width: p.width)): \(madds) M MAdds, \(ReportFormat.ms(p.latencyMs.median)) ms"
                svg.circle(px, py, r: 4, fill: s.color, tooltip: tip)
                let label = ReportFormat.width(p.width)
                let spots = labelSpots(px, py)
                if let spot = placer.place(label, size: 10, spots: spots, name: "\(s.short) \(label)") {
                    svg.text(label, spot.x, spot.y, size: 10, anchor: spot.anchor, fill: s.color)
                }
            }
            svg.closeGroup()
        }

        var footnotes = leftOut.map { PlotFrame.Footnote("Left out: " + $0 + ".") }
        if !placer.dropped.isEmpty {
            footnotes.append(PlotFrame.Footnote("Width labels left out for lack of room (see Table 3): " + placer.dropped.joined(separator: ", ") + "."))
        }
        frame.fitFootnotes(footnotes)
        svg.height = frame.height
        frame.drawFootnotes(&svg, footnotes)
        return svg.render()
    }

    /// Where a point's width label may go, best first: beside the point away from a rising
    /// line (below right, above left), then level, then the other diagonals, above, below,
    /// and a little further out.
    static func labelSpots(_ px: Double, _ py: Double) -> [LabelSpot] {
        var spots: [LabelSpot] = [LabelSpot(px + 7, py + 13), LabelSpot(px - 7, py - 6, anchor: "end"),
                     LabelSpot(px + 8, py + 3.5), LabelSpot(px - 8, py + 3.5, anchor: "end"),
                     LabelSpot(px + 7, py - 6), LabelSpot(px - 7, py + 13, anchor: "end"),
                     LabelSpot(px, py - 9, anchor: "middle"), LabelSpot(px, py + 17, anchor: "middle")]
        for d in [10.0, 20.0] {
            let further: [LabelSpot] = [LabelSpot(px + 8 + d, py + 3.5), LabelSpot(px - 8 - d, py + 3.5, anchor: "end"),
                                        LabelSpot(px, py - 9 - d, anchor: "middle"), LabelSpot(px, py + 17 + d, anchor: "middle")]
            spots += further
        }
        return spots
    }
}
