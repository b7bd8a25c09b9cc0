// Per-layer time as stacked bars: one horizontal bar per point with per-layer records, one
// segment per layer in network order, coloured by operation type (OpColors: Paul Tol's muted
// scheme, with a legend of every type); a black tick marks the
// point's uninstrumented end-to-end median, so the instrumentation's effect is visible too.
// Each segment's tooltip names the layer and its time.

public enum LayerTimeStackedBarsPlot {
    public static let path = "plots/layer-time.svg"

    public static func render(_ b: LayerBreakdown, colors: OpColors) -> String? {
        guard !b.entries.isEmpty else { return nil }
        var frame = PlotFrame(width: 1000, height: 0)
        let longest = b.entries.map { TextBox.estimate(PointSelection.label($0.point.record), x: 0, y: 0, size: 11).width }.max() ?? 0
        frame.left = max(300, (longest + 24).rounded(.up))
        let barHeight = 20.0, gap = 10.0
        frame.height = frame.top + frame.bottom + Double(b.entries.count) * (barHeight + gap) + gap
        var legend: [(label: String, color: String, mark: PlotFrame.LegendMark)] = colors.legend().map { ($0.label, $0.color, .box) }
        legend.append(("end-to-end median", "#000000", .line))
        let legendLines = legend.reduce(0) { $0 + PlotFrame.wrap($1.label, frame.legendCharacters).count }
        let legendHeight: Double = 19 * Double(legend.count) + 13 * Double(legendLines - legend.count)
        frame.height = max(frame.height, frame.top + legendHeight + frame.bottom)
        let title = "Per-layer time"
        let subtitle = "one bar per point: its layers in network order (instrumented pass, mean per inference); tick: end-to-end median"
        frame.fitSubtitle(subtitle)
        var svg = SVGDocument(width: frame.width, height: frame.height, title: title, description: subtitle)
        let totals = b.entries.map { e -> Double in
            max(e.point.record.sumOfLayersMs ?? 0, e.point.record.latencyMs.median.isFinite ? e.point.record.latencyMs.median : 0)
        }
        let x = PlotScale.linear(totals, from: frame.plotLeft, to: frame.plotRight, includeZero: true, pad: 0.02)
        let y = PlotScale(.linear, lower: 0, upper: 1, from: frame.plotTop, to: frame.plotBottom)
        frame.drawAxes(&svg, title: title, subtitle: subtitle, x: x, y: y, xLabel: "Time per inference (ms)", yLabel: "",
                       yTicks: [])
        for (i, e) in b.entries.enumerated() {
            let p = e.point.record
            let top = frame.plotTop + gap + Double(i) * (barHeight + gap)
            let total = p.sumOfLayersMs ?? 0
            svg.openGroup(series: PointSelection.label(p), className: "bar")
            svg.text(PointSelection.label(p), frame.plotLeft - 8, top + barHeight / 2 + 4, size: 11, anchor: "end")
            var start = 0.0
            for l in p.layers ?? [] {
                let share = total > 0 ? l.timeMs / total * 100 : 0
                svg.rect(x(start), top, x(start + l.timeMs) - x(start), barHeight, fill: colors.color(l.op), stroke: "#ffffff",
                         strokeWidth: 0.3, tooltip: "\(l.name) (\(l.op)): \(ReportFormat.ms(l.timeMs)) ms, \(ReportFormat.percent(share))%")
                start += l.timeMs
            }
            let e2e = p.latencyMs.median
            if e2e.isFinite {
                svg.line(x(e2e), top - 3, x(e2e), top + barHeight + 3, stroke: "#000000", width: 2,
                         tooltip: "end-to-end median \(ReportFormat.ms(e2e)) ms")
            }
            svg.closeGroup()
        }
        frame.drawLegend(&svg, legend)
        return svg.render()
    }
}
