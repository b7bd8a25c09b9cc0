// Table 6's models as points: latency relative to MobileNeXt-1.0 against MAdds, and against
// parameters (the axes the paper's Table 6 compares by, with the latency it lacks). One series
// per setting, each point labelled with its model; bars: the paired 95% CI where measured paired.
// Models are not connected: they are different networks, not a trend.

public enum Table6Plot {
    public static let maddsPath = "plots/table6-vs-madds.svg"
    public static let paramsPath = "plots/table6-vs-params.svg"

    /// (relative latency, CI low, CI high) of a row: paired where measured paired, else the
    /// pooled medians' ratio without a bar; 1 on the baseline row.
    static func relative(_ r: Table6.Row) -> (value: Double, low: Double?, high: Double?) {
        if let p = r.paired { return (p.median, p.ciLow, p.ciHigh) }
        return (r.pooledRatio ?? 1, nil, nil)
    }

    public static func render(_ t: Table6, byParams: Bool) -> String? {
        guard !t.sections.isEmpty else { return nil }
        func xValue(_ r: Table6.Row) -> Double {
            let totals = r.point.record.totals
            return byParams ? Double(totals.params) / 1e6 : Double(totals.madds) / 1e6
        }
        let what = byParams ? "parameters" : "MAdds"
        let title = "Latency relative to MobileNeXt-1.0 versus \(what)"
        var subtitle = "the paper's Table 6 axes with measured latency; bars: paired 95% CI"
        if t.sections.count == 1 { subtitle += "; " + t.sections[0].setting.description }
        var frame = PlotFrame()
        frame.fitSubtitle(subtitle)
        var svg = SVGDocument(width: frame.width, height: frame.height, title: title, description: subtitle)
        let rows = t.sections.flatMap(\.rows)
        let x = PlotScale.linear(rows.map(xValue), from: frame.plotLeft, to: frame.plotRight, includeZero: true)
        let y = PlotScale.linear(rows.flatMap { r -> [Double] in
            let v = relative(r)
            return [v.value, v.low ?? v.value, v.high ?? v.value]
        }, from: frame.plotBottom, to: frame.plotTop, includeZero: true)
        frame.drawAxes(&svg, title: title, subtitle: subtitle, x: x, y: y,
                       xLabel: byParams ? "Parameters incl. BatchNorm (millions)" : "MAdds per inference (millions)",
                       yLabel: "Latency / MobileNeXt-1.0's")
        let names = t.sections.map { t.sections.count > 1 ? $0.setting.description : "measured" }
        frame.drawLegend(&svg, names.enumerated().map { ($0.element, PlotPalette.color($0.offset), .point) })
        var placer = frame.labelPlacer(svg)
        for r in rows {
            let (px, py) = (x(xValue(r)), y(relative(r).value))
            placer.reserve(TextBox(minX: px - 5, minY: py - 5, maxX: px + 5, maxY: py + 5))
            let v = relative(r)
            if let low = v.low, let high = v.high { placer.reserveSegment(px, y(low), px, y(high)) }
        }
        for (i, s) in t.sections.enumerated() {
            let color = PlotPalette.color(i)
            svg.openGroup(series: names[i], className: "series")
            for r in s.rows {
                let p = r.point.record
                let v = relative(r)
                let (px, py) = (x(xValue(r)), y(v.value))
                if let low = v.low, let high = v.high {
                    svg.line(px, y(low), px, y(high), stroke: color, width: 1.2)
                    svg.line(px - 4, y(low), px + 4, y(low), stroke: color, width: 1.2)
                    svg.line(px - 4, y(high), px + 4, y(high), stroke: color, width: 1.2)
                }
                let name = ReportFormat.model(p.model, width: p.width)
                svg.circle(px, py, r: 4, fill: color, tooltip: "\(name): \(ReportFormat.fixed(xValue(r), 2)) M \(what), \(ReportFormat.ratio(v.value))× MobileNeXt-1.0")
                if let spot = placer.place(name, size: 10, spots: LatencyVersusMAddsPlot.labelSpots(px, py), name: name) {
                    svg.text(name, spot.x, spot.y, size: 10, anchor: spot.anchor, fill: color)
                }
            }
            svg.closeGroup()
        }
        var footnotes: [PlotFrame.Footnote] = []
        if !placer.dropped.isEmpty {
            footnotes.append(PlotFrame.Footnote("Model labels left out for lack of room (see Table 6): " + placer.dropped.joined(separator: ", ") + "."))
        }
        if rows.contains(where: { $0.paired == nil && $0.pooledRatio != nil }) {
            footnotes.append(PlotFrame.Footnote("Points without a bar were not measured paired: their position is the ratio of pooled medians."))
        }
        frame.fitFootnotes(footnotes)
        svg.height = frame.height
        frame.drawFootnotes(&svg, footnotes)
        return svg.render()
    }
}
