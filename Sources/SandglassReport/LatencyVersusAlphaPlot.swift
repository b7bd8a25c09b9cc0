// Latency versus the identity tensor multiplier α (Table 7 as a plot): one series per
// setting, the median with its 95% CI as error bars; and the same relative to α = 1 beside
// the paper's Pixel 4 XL ratios, so that the trend can be compared across hardware. Relative
// figures are the paired ratios with their CIs where the points were measured paired (one
// comparison group, or rounds); only unpaired points fall back to median / median.

import SandglassParameters

public enum LatencyVersusAlphaPlot {
    public static let path = "plots/latency-vs-alpha.svg"
    public static let relativePath = "plots/latency-vs-alpha-relative.svg"
    public static let paperSeries = "Paper: \(PaperReference.device)"

    struct Series {
        var name: String
        var color: String
        var dashed: Bool
        /// (α, y, low, high)
        var points: [(alpha: IdentityMultiplier, y: Double, low: Double?, high: Double?)]
    }

    static func seriesName(_ s: Table7.Section, _ all: [Table7.Section]) -> String {
        let widths = Set(all.map(\.width))
        return (widths.count > 1 ? ReportFormat.model("mobilenext", width: s.width) + ", " : "") + s.setting.description
    }

    public static func absolute(_ t: Table7) -> String? {
        guard !t.sections.isEmpty else { return nil }
        let series = t.sections.enumerated().map { i, s in
            Series(name: seriesName(s, t.sections), color: PlotPalette.color(i), dashed: false,
                   points: s.rows.map { r in
                       let l = r.point.record.latencyMs
                       return (r.point.record.alpha, l.median, l.ciLow, l.ciHigh)
                   })
        }
        return render(series, title: "MobileNeXt latency versus identity tensor multiplier α",
                      subtitle: "median per α; bars: 95% CI of the median", yLabel: "Latency, median (ms)")
    }

    public static func relative(_ t: Table7) -> String? {
        let sections = t.sections.filter { $0.reference != nil }
        guard !sections.isEmpty else { return nil }
        let anyPaired = sections.contains { $0.rows.contains { $0.paired != nil } }
        var series = sections.enumerated().map { i, s -> Series in
            let ref = s.reference!.point.record.latencyMs.median
            return Series(name: seriesName(s, sections), color: PlotPalette.color(i), dashed: false,
                          points: s.rows.map { r in
                              if let p = r.paired { return (r.point.record.alpha, p.median, p.ciLow, p.ciHigh) }
                              if anyPaired && r.point.record.alpha == .one { return (r.point.record.alpha, 1, nil, nil) }
                              let l = r.point.record.latencyMs
                              return (r.point.record.alpha, l.median / ref, l.ciLow / ref, l.ciHigh / ref)
                          })
        }
        if let s = sections.first(where: { $0.rows.contains { $0.paperRelative != nil } }) {
            series.append(Series(name: paperSeries, color: "#7F7F7F", dashed: true,
                                 points: s.rows.compactMap { r in r.paperRelative.map { (r.point.record.alpha, $0, nil, nil) } }))
        }
        let subtitle = anyPaired
            ? "paired ratio to α = 1 (median over pairs); bars: its 95% CI; dashed: the paper's ratios"
            : "median / median at α = 1; bars: the point's 95% CI over the α = 1 median; dashed: the paper's ratios"
        return render(series, title: "MobileNeXt latency relative to α = 1",
                      subtitle: subtitle,
                      yLabel: "Latency relative to α = 1 (×)")
    }

    static func render(_ series: [Series], title: String, subtitle: String, yLabel: String) -> String {
        var frame = PlotFrame()
        let ys = series.flatMap { $0.points.flatMap { [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] } }
        let note = PlotScale.linear(ys, from: 0, to: 1).lower > 0 ? "; y axis not from zero" : ""
        frame.fitSubtitle(subtitle + note)
        var svg = SVGDocument(width: frame.width, height: frame.height, title: title, description: subtitle)
        let alphas = Set(series.flatMap { $0.points.map(\.alpha) }).sorted()
        let x = PlotScale(.linear, lower: 0, upper: 1.05, from: frame.plotLeft, to: frame.plotRight)
        let y = PlotScale.linear(ys, from: frame.plotBottom, to: frame.plotTop)
        frame.drawAxes(&svg, title: title, subtitle: subtitle + note, x: x, y: y, xLabel: "Identity tensor multiplier α",
                       yLabel: yLabel, xTicks: alphas.map { ($0.value, $0.description) })
        for s in series {
            svg.openGroup(series: s.name, className: "series")
            let pts = s.points.map { (x($0.alpha.value), y($0.y)) }
            svg.polyline(pts.sorted { $0.0 < $1.0 }, stroke: s.color, width: 1.5, dash: s.dashed ? "5 3" : nil)
            for p in s.points {
                let px = x(p.alpha.value)
                if let lo = p.low, let hi = p.high {
                    svg.line(px, y(lo), px, y(hi), stroke: s.color, width: 1.2)
                    svg.line(px - 4, y(lo), px + 4, y(lo), stroke: s.color, width: 1.2)
                    svg.line(px - 4, y(hi), px + 4, y(hi), stroke: s.color, width: 1.2)
                }
                let tip = "α = \(p.alpha): \(ReportFormat.fixed(p.y, 3))" + (p.low.map { l in p.high.map { " [\(ReportFormat.fixed(l, 3)), \(ReportFormat.fixed($0, 3))]" } ?? "" } ?? "")
                svg.circle(px, y(p.y), r: s.dashed ? 3 : 4, fill: s.dashed ? "#ffffff" : s.color, stroke: s.color, tooltip: tip)
            }
            svg.closeGroup()
        }
        frame.drawLegend(&svg, series.map { ($0.name, $0.color, $0.dashed ? .dashedLine : .point) })
        return svg.render()
    }
}
