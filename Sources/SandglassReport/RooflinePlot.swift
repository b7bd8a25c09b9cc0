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

    public static func render(_ point: PointRecord, calibration: CalibrationRecord?, colors: OpColors) -> String {
        let layers = (point.layers ?? []).filter { ($0.arithmeticIntensity ?? 0) > 0 && ($0.achievedGFLOPS ?? 0) > 0 }
        let hidden = (point.layers ?? []).count - layers.count
        let peak = calibration?.peak(isa: point.isaUsed, threads: point.threads)
        let bandwidths = (calibration?.bandwidth ?? []).filter { $0.threads == point.threads }
        let frame = PlotFrame()
        let title = "Roofline: \(PointSelection.label(point))"
        let subtitle = "layers by arithmetic intensity (FLOPs / analytic bytes) and achieved GFLOP/s; ceilings: measured peak and bandwidths, \(point.threads) thread\(point.threads == 1 ? "" : "s")"
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
        var legend: [(label: String, color: String, mark: PlotFrame.LegendMark)] = []
        svg.openGroup(className: "ceilings")
        if let peak {
            svg.line(frame.plotLeft, y(peak), frame.plotRight, y(peak), stroke: "#444", width: 1.5,
                     tooltip: "peak \(point.isaUsed), \(point.threads) thread(s): \(ReportFormat.rate(peak)) GFLOP/s")
            svg.text("peak \(point.isaUsed): \(ReportFormat.rate(peak)) GFLOP/s (measured)", frame.plotRight - 4, y(peak) - 6,
                     size: 11, anchor: "end", fill: "#444")
        }
        for (i, bw) in bandwidths.enumerated() {
            let ridge = peak.map { $0 / bw.gbPerSecond } ?? x.upper
            // Inside the plot area: from where the line enters above the y axis' lower bound.
            let x0 = max(x.lower, y.lower / bw.gbPerSecond), x1 = min(ridge, x.upper, y.upper / bw.gbPerSecond)
            guard x1 > x0 else { continue }
            let color = ["#444444", "#777777", "#999999", "#bbbbbb"][min(i, 3)]
            svg.line(x(x0), y(bw.gbPerSecond * x0), x(x1), y(bw.gbPerSecond * x1), stroke: color, width: 1.2, dash: "6 3",
                     tooltip: "\(bw.level) read bandwidth: \(ReportFormat.rate(bw.gbPerSecond)) GB/s")
            legend.append(("\(bw.level): \(ReportFormat.rate(bw.gbPerSecond)) GB/s (measured)", color, .dashedLine))
        }
        svg.closeGroup()
        if calibration == nil {
            frame.drawNote(&svg, noCalibration)
        } else if peak == nil {
            frame.drawNote(&svg, "The calibration record has no peak for \(point.isaUsed) at \(point.threads) thread(s): no compute ceiling drawn.")
        } else if let peak, let above = layersAbovePeak(point, peak: peak), above > 0 {
            frame.drawNote(&svg, "\(above) layer(s) exceed the measured peak: the calibration underestimates this machine's ceiling (a loaded machine or a quick calibration).", y: 250)
        }
        let ops = Set(layers.map(\.op)).sorted()
        for op in ops {
            svg.openGroup(series: op, className: "series")
            for l in layers where l.op == op {
                svg.circle(x(l.arithmeticIntensity!), y(l.achievedGFLOPS!), r: 4, fill: colors.color(op), stroke: "#ffffff",
                           tooltip: "\(l.name) (\(op)): \(ReportFormat.fixed(l.arithmeticIntensity, 2)) FLOP/B, \(ReportFormat.rate(l.achievedGFLOPS)) GFLOP/s, \(ReportFormat.ms(l.timeMs)) ms")
            }
            svg.closeGroup()
        }
        legend = ops.map { ($0, colors.color($0), .point) } + legend
        frame.drawLegend(&svg, legend)
        if hidden > 0 {
            svg.text("\(hidden) layer(s) without FLOPs (pooling, copies) not shown", frame.plotLeft, frame.height - 4, size: 10, fill: "#555")
        }
        return svg.render()
    }
}
