// A roofline per point with per-layer records: each layer at its arithmetic intensity (FLOPs
// over analytic bytes, the minimum it must move, so intensity is an upper bound) and its
// achieved GFLOP/s, under the machine's measured ceilings from the results' calibration
// record: peak FMA throughput for the ISA and thread count the point ran with, and the read
// bandwidth of each cache level and DRAM. Without a calibration record no ceiling is drawn,
// and the plot says so; ceilings are never assumed.
import SandglassHarness

public enum RooflinePlot {
    public static func path(_ slug: String) -> String { "plots/roofline-\(slug).svg" }

    /// Layers whose achieved GFLOP/s is above the measured peak (a sign of a low calibration).
    public static func layersAbovePeak(_ point: PointRecord, peak: Double) -> Int? {
        guard let layers = point.layers else { return nil }
        return layers.filter { ($0.achievedGFLOPS ?? 0) > peak * 1.02 }.count
    }

    public static let noCalibration = "No calibration record in the results: no ceilings drawn (sweep without --no-calibrate, or append one with `sandglass calibrate --out FILE`)."

    /// Dash patterns of the bandwidth ceilings, in the calibration's order (L1, L2, L3, DRAM):
    /// each its own pattern, so that they differ without colour; the compute ceiling is solid.
    public static let ceilingDashes = ["10 3", "5 3", "1.5 3", "10 3 2 3", "6 2 1.5 2 1.5 2"]

    public static func ceilingDash(_ i: Int) -> String {
        i < ceilingDashes.count ? ceilingDashes[i] : "\(i + 8) 3 1.5 3 1.5 3"
    }

    public static let ceilingColor = "#444444"

    /// The on-plot name of each bandwidth ceiling: its level, with the working set where two
    /// ceilings share a level.
    public static func ceilingNames(_ bandwidths: [BandwidthMeasurement]) -> [String] {
        bandwidths.map { bw in
            let shared = bandwidths.filter { $0.level == bw.level }.count > 1
            return shared ? "\(bw.level) \(ReportFormat.binaryBytes(bw.workingSetBytes))" : bw.level
        }
    }

    /// A bandwidth ceiling inside the plot area, in pixels.
    struct Ceiling {
        var name: String
        var legend: String
        var tooltip: String
        var dash: String
        var from: (x: Double, y: Double)
        var to: (x: Double, y: Double)
    }

    public static func render(_ point: PointRecord, calibration: CalibrationRecord?, colors: OpColors) -> String {
        let layers = (point.layers ?? []).filter { ($0.arithmeticIntensity ?? 0) > 0 && ($0.achievedGFLOPS ?? 0) > 0 }
        let hidden = (point.layers ?? []).count - layers.count
        let peak = calibration?.peak(isa: point.isaUsed, threads: point.threads)
        let bandwidths = (calibration?.bandwidth ?? []).filter { $0.threads == point.threads }
        var frame = PlotFrame()
        let title = "Roofline: \(PointSelection.label(point))"
        let threads = "\(point.threads) thread\(point.threads == 1 ? "" : "s")"
        let subtitle = "layers by arithmetic intensity (FLOPs / analytic bytes) and achieved GFLOP/s; ceilings: measured peak and bandwidths, " + threads
        frame.fitSubtitle(subtitle)
        var svg = SVGDocument(width: frame.width, height: frame.height, title: title, description: subtitle)
        let intensities = layers.compactMap(\.arithmeticIntensity)
        var xs = intensities
        var ys = layers.compactMap(\.achievedGFLOPS)
        if let peak {
            ys.append(peak)
            xs += bandwidths.map { peak / $0.gbPerSecond }
        }
        let x = PlotScale.log(xs.isEmpty ? [0.1, 100] : xs, from: frame.plotLeft, to: frame.plotRight)
        let y = PlotScale.log(ys.isEmpty ? [1, 100] : ys, from: frame.plotBottom, to: frame.plotTop)
        frame.drawAxes(&svg, title: title, subtitle: subtitle, x: x, y: y, xLabel: "Arithmetic intensity (FLOP/byte, log scale)",
                       yLabel: "Achieved GFLOP/s (log scale)")

        // Ceilings inside the plot area: from where each line enters above the y axis' lower bound
        // to its ridge point with the peak (or the plot's edge without a peak).
        var ceilings: [Ceiling] = []
        let names = ceilingNames(bandwidths)
        for (i, bw) in bandwidths.enumerated() {
            let ridge = peak.map { $0 / bw.gbPerSecond } ?? x.upper
            let x0 = max(x.lower, y.lower / bw.gbPerSecond), x1 = min(ridge, x.upper, y.upper / bw.gbPerSecond)
            guard x1 > x0 else { continue }
            let rate = ReportFormat.rate(bw.gbPerSecond)
            let legend: String = "\(names[i]): \(rate) GB/s (measured)"
            let tooltip: String = "\(names[i]) read bandwidth: \(rate) GB/s"
            let from: (x: Double, y: Double) = (x(x0), y(bw.gbPerSecond * x0))
            let to: (x: Double, y: Double) = (x(x1), y(bw.gbPerSecond * x1))
            ceilings.append(Ceiling(name: names[i], legend: legend, tooltip: tooltip, dash: ceilingDash(i), from: from, to: to))
        }

        let ops = Set(layers.map(\.op)).sorted()
        var legend: [(label: String, color: String, mark: PlotFrame.LegendMark)] = colors.legend(for: ops).map { ($0.label, $0.color, .point) }
        legend += ceilings.map { ($0.legend, ceilingColor, .dashed($0.dash)) }
        frame.drawLegend(&svg, legend)

        // Labels keep clear of every text, marker and other ceiling (LabelPlacer).
        var placer = frame.labelPlacer(svg)
        for l in layers {
            let px = x(l.arithmeticIntensity!), py = y(l.achievedGFLOPS!)
            placer.reserve(TextBox(minX: px - 5, minY: py - 5, maxX: px + 5, maxY: py + 5))
        }
        for c in ceilings { placer.reserveSegment(c.from.x, c.from.y, c.to.x, c.to.y, tag: c.name) }
        var footnotes: [PlotFrame.Footnote] = []
        svg.openGroup(className: "ceilings")
        if let peak {
            let py = y(peak)
            placer.reserveSegment(frame.plotLeft, py, frame.plotRight, py, tag: "peak")
            let text = "peak \(point.isaUsed): \(ReportFormat.rate(peak)) GFLOP/s (measured)"
            let right = frame.plotRight - 4, left = frame.plotLeft + 6
            var spots: [LabelSpot] = [LabelSpot(right, py - 6, anchor: "end"), LabelSpot(right, py + 15, anchor: "end"),
                         LabelSpot(left, py - 6), LabelSpot(left, py + 15)]
            spots += LabelPlacer.verticalNudges(LabelSpot(right, py - 6, anchor: "end"), step: 6, count: 8).dropFirst()
            let spot = placer.place(text, size: PlotFrame.smallFont, spots: spots, name: text)
            svg.openGroup(className: "ceiling", extra: [("data-ceiling", "peak")])
            svg.line(frame.plotLeft, py, frame.plotRight, py, stroke: "#222222", width: 1.5,
                     tooltip: "peak \(point.isaUsed), \(point.threads) thread(s): \(ReportFormat.rate(peak)) GFLOP/s")
            if let spot { svg.text(text, spot.x, spot.y, size: PlotFrame.smallFont, anchor: spot.anchor, fill: "#222") }
            svg.closeGroup()
        }
        // Each bandwidth ceiling's name sits on its line (over a white patch), where the line
        // is clear: first a quarter of the way up, then further along.
        let fractions = [0.25, 0.15, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.08]
        let lift = (TextBox.ascent - TextBox.descent) / 2 * PlotFrame.smallFont
        for c in ceilings {
            let spots = fractions.map { (t: Double) -> LabelSpot in
                let sx: Double = c.from.x + t * (c.to.x - c.from.x)
                let sy: Double = c.from.y + t * (c.to.y - c.from.y) + lift
                return LabelSpot(sx, sy, anchor: "middle")
            }
            let spot = placer.place(c.name, size: PlotFrame.smallFont, spots: spots, name: c.name, onSegment: c.name)
            svg.openGroup(className: "ceiling", extra: [("data-ceiling", c.name)])
            svg.line(c.from.x, c.from.y, c.to.x, c.to.y, stroke: ceilingColor, width: 1.4, dash: c.dash, tooltip: c.tooltip)
            if let spot {
                let box = TextBox.estimate(c.name, x: spot.x, y: spot.y, size: PlotFrame.smallFont, anchor: "middle").grown(by: 1.5)
                svg.rect(box.minX, box.minY, box.width, box.height, fill: "#ffffff")
                svg.text(c.name, spot.x, spot.y, size: PlotFrame.smallFont, anchor: "middle", fill: "#222")
            }
            svg.closeGroup()
        }
        svg.closeGroup()

        for op in ops {
            svg.openGroup(series: op, className: "series")
            for l in layers where l.op == op {
                let ai = ReportFormat.fixed(l.arithmeticIntensity, 2), gflops = ReportFormat.rate(l.achievedGFLOPS)
                let tip: String = "\(l.name) (\(op)): \(ai) FLOP/B, \(gflops) GFLOP/s, \(ReportFormat.ms(l.timeMs)) ms"
                svg.circle(x(l.arithmeticIntensity!), y(l.achievedGFLOPS!), r: 4, fill: colors.color(op), stroke: "#ffffff", tooltip: tip)
            }
            svg.closeGroup()
        }

        if calibration == nil {
            footnotes.append(PlotFrame.Footnote(noCalibration, warning: true))
        } else if peak == nil {
            footnotes.append(PlotFrame.Footnote("The calibration record has no peak for \(point.isaUsed) at \(point.threads) thread(s): no compute ceiling drawn.", warning: true))
        } else if let peak, let above = layersAbovePeak(point, peak: peak), above > 0 {
            footnotes.append(PlotFrame.Footnote("\(above) layer(s) exceed the measured peak: the calibration underestimates this machine's ceiling (a loaded machine or a quick calibration).", warning: true))
        }
        if hidden > 0 { footnotes.append(PlotFrame.Footnote("\(hidden) layer(s) without FLOPs (pooling, copies) not shown.")) }
        if !placer.dropped.isEmpty {
            footnotes.append(PlotFrame.Footnote("Labels left out for lack of room (see the legend): " + placer.dropped.joined(separator: ", ") + "."))
        }
        frame.fitFootnotes(footnotes)
        svg.height = frame.height
        frame.drawFootnotes(&svg, footnotes)
        return svg.render()
    }
}
