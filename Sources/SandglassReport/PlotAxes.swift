// What every plot shares: linear and logarithmic scales with readable ticks, a frame with
// axes, grid, tick labels, axis titles with units, a title and a legend to the right of the
// plot area, and a colour-blind-safe palette (Okabe–Ito) used in the same order everywhere.
import Foundation

public struct PlotScale {
    public enum Kind { case linear, log }
    public var kind: Kind
    public var lower: Double
    public var upper: Double
    /// Pixel positions of lower and upper.
    public var from: Double
    public var to: Double

    public init(_ kind: Kind, lower: Double, upper: Double, from: Double, to: Double) {
        self.kind = kind; self.from = from; self.to = to
        var lo = lower, hi = upper
        if kind == .log { lo = max(lo, 1e-12); hi = max(hi, lo * 10) }
        if hi <= lo { hi = lo + (lo == 0 ? 1 : abs(lo) * 0.1) }
        self.lower = lo; self.upper = hi
    }

    public func callAsFunction(_ v: Double) -> Double {
        let t: Double
        switch kind {
        case .linear: t = (v - lower) / (upper - lower)
        case .log: t = (log10(max(v, 1e-300)) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return from + t * (to - from)
    }

    /// A linear scale on "nice" bounds around the data (1, 2, 5 × 10^k steps), from zero if asked.
    public static func linear(_ values: [Double], from: Double, to: Double, includeZero: Bool = false, pad: Double = 0.08) -> PlotScale {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        let span = hi - lo > 0 ? hi - lo : max(abs(hi), 1)
        if !(includeZero && lo == 0) { lo -= span * pad }
        hi += span * pad
        let step = niceStep(hi - lo, count: 5)
        lo = (lo / step).rounded(.down) * step
        hi = (hi / step).rounded(.up) * step
        if includeZero && (finite.min() ?? 0) >= 0 { lo = max(lo, 0) }
        return PlotScale(.linear, lower: lo, upper: hi, from: from, to: to)
    }

    /// A log scale covering the data, extended to whole decades.
    public static func log(_ values: [Double], from: Double, to: Double) -> PlotScale {
        let positive = values.filter { $0.isFinite && $0 > 0 }
        let lo = pow(10, (log10(positive.min() ?? 1)).rounded(.down))
        let hi = pow(10, (log10(positive.max() ?? 10)).rounded(.up))
        return PlotScale(.log, lower: lo, upper: hi > lo ? hi : lo * 10, from: from, to: to)
    }

    static func niceStep(_ span: Double, count: Int) -> Double {
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2, 2.5, 5, 10] where m * magnitude >= raw { return m * magnitude }
        return 10 * magnitude
    }

    /// Tick values and labels.
    public func ticks(count: Int = 5) -> [(Double, String)] {
        switch kind {
        case .linear:
            let step = PlotScale.niceStep(upper - lower, count: count)
            let decimals = max(0, -Int((log10(step)).rounded(.down)) + (step / pow(10, (log10(step)).rounded(.down)) == 2.5 ? 1 : 0))
            var out: [(Double, String)] = []
            var v = (lower / step).rounded(.up) * step
            while v <= upper + step * 1e-9 {
                out.append((v, ReportFormat.fixed(v, decimals)))
                v += step
            }
            return out
        case .log:
            var out: [(Double, String)] = []
            var e = Int((log10(lower)).rounded(.down))
            while pow(10, Double(e)) <= upper * (1 + 1e-9) {
                let v = pow(10, Double(e))
                if v >= lower * (1 - 1e-9) { out.append((v, e >= 0 ? String(format: "%.0f", v) : String(format: "%.\(-e)f", v))) }
                e += 1
            }
            return out
        }
    }
}

public enum PlotPalette {
    /// Okabe–Ito, distinguishable with the common colour-vision deficiencies.
    /// Black is left out: plots use it for marks such as the end-to-end tick.
    public static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#8C564B",
                                "#7F7F7F", "#17BECF"]
    public static func color(_ i: Int) -> String { colors[i % colors.count] }
}

/// A plot's canvas: the plot area inside margins, a legend column on the right.
public struct PlotFrame {
    public var width: Double
    public var height: Double
    public var left = 76.0
    public var right = 230.0
    public var top = 48.0
    public var bottom = 62.0

    public init(width: Double = 900, height: Double = 500) { self.width = width; self.height = height }

    public var plotLeft: Double { left }
    public var plotRight: Double { width - right }
    public var plotTop: Double { top }
    public var plotBottom: Double { height - bottom }

    /// Title, grid, axes, ticks and axis titles.
    public func drawAxes(_ svg: inout SVGDocument, title: String, subtitle: String? = nil, x: PlotScale, y: PlotScale,
                         xLabel: String, yLabel: String, xTicks: [(Double, String)]? = nil, yTicks: [(Double, String)]? = nil) {
        svg.text(title, left, 22, size: 16, weight: "bold")
        if let subtitle { svg.text(subtitle, left, 38, size: 11, fill: "#555") }
        svg.openGroup(className: "grid")
        for (v, _) in xTicks ?? x.ticks() { svg.line(x(v), plotTop, x(v), plotBottom, stroke: "#e5e5e5") }
        for (v, _) in yTicks ?? y.ticks() { svg.line(plotLeft, y(v), plotRight, y(v), stroke: "#e5e5e5") }
        svg.closeGroup()
        svg.openGroup(className: "axes")
        svg.line(plotLeft, plotBottom, plotRight, plotBottom, stroke: "#333")
        svg.line(plotLeft, plotTop, plotLeft, plotBottom, stroke: "#333")
        for (v, label) in xTicks ?? x.ticks() {
            svg.line(x(v), plotBottom, x(v), plotBottom + 5, stroke: "#333")
            svg.text(label, x(v), plotBottom + 18, size: 11, anchor: "middle")
        }
        for (v, label) in yTicks ?? y.ticks() {
            svg.line(plotLeft - 5, y(v), plotLeft, y(v), stroke: "#333")
            svg.text(label, plotLeft - 8, y(v) + 4, size: 11, anchor: "end")
        }
        svg.text(xLabel, (plotLeft + plotRight) / 2, height - 18, size: 12, anchor: "middle")
        svg.text(yLabel, 18, (plotTop + plotBottom) / 2, size: 12, anchor: "middle", rotate: -90)
        svg.closeGroup()
    }

    public enum LegendMark { case point, line, dashedLine, box }

    /// Legend entries stacked to the right of the plot area; long labels wrap at 30 characters.
    public func drawLegend(_ svg: inout SVGDocument, _ entries: [(label: String, color: String, mark: LegendMark)], top: Double? = nil) {
        guard !entries.isEmpty else { return }
        svg.openGroup(className: "legend")
        var y = top ?? plotTop + 6
        let x = plotRight + 18
        for e in entries {
            switch e.mark {
            case .point: svg.circle(x + 8, y - 4, r: 4, fill: e.color)
            case .line: svg.line(x, y - 4, x + 16, y - 4, stroke: e.color, width: 2)
            case .dashedLine: svg.line(x, y - 4, x + 16, y - 4, stroke: e.color, width: 2, dash: "5 3")
            case .box: svg.rect(x + 2, y - 10, 12, 12, fill: e.color)
            }
            for (i, part) in PlotFrame.wrap(e.label, 30).enumerated() {
                svg.text(part, x + 22, y + Double(i) * 13, size: 11)
                if i > 0 { y += 13 }
            }
            y += 19
        }
        svg.closeGroup()
    }

    /// A note inside the plot area (for example, why a ceiling is absent).
    public func drawNote(_ svg: inout SVGDocument, _ text: String, y offset: Double = 0) {
        var y = plotTop + 18 + offset
        for part in PlotFrame.wrap(text, 80) {
            svg.text(part, plotLeft + 10, y, size: 12, fill: "#a00", italic: true)
            y += 15
        }
    }

    static func wrap(_ text: String, _ width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + 1 + word.count > width {
                lines.append(current)
                current = String(word)
            } else {
                current += current.isEmpty ? String(word) : " " + word
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
