// What every plot shares: linear and logarithmic scales with readable ticks, a frame with
// axes, grid, tick labels (thinned when they would touch), axis titles with units, a title and
// a legend to the right of the plot area, footnotes below, and colour-blind-safe palettes:
// Okabe–Ito for series, Paul Tol's muted scheme for operation types, each in a fixed order.
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
    /// Okabe & Ito, "Color Universal Design" (2008): distinguishable with the common
    /// colour-vision deficiencies. Their black is left out: plots use it for marks such as the
    /// end-to-end tick. For series (lines and points), in this order.
    public static let okabeIto = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"]
    /// Paul Tol's "muted" qualitative scheme (personal.sron.nl/~pault), nine colours
    /// distinguishable with the common colour-vision deficiencies: for operation types.
    public static let tolMuted = ["#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933",
                                  "#AA4499"]
    /// Tol's pale grey: operation types beyond the nine, shown together as "other".
    public static let other = "#DDDDDD"

    /// Series colours, in order.
    public static let colors = okabeIto
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

    /// Size of the subtitle, tick labels, legend entries and footnotes.
    public static let smallFont = 11.0
    public static let footnoteFont = 10.0
    static let footnoteLineHeight = 13.0

    /// Where the title starts: the plot's left edge, or closer to the canvas' edge when a
    /// wide margin holds bar labels.
    public var titleX: Double { min(left, 76) }

    /// The subtitle in lines that fit the canvas' width.
    public func subtitleLines(_ subtitle: String) -> [String] {
        PlotFrame.wrapClauses(subtitle, PlotFrame.characters(width - titleX - 8, size: PlotFrame.smallFont))
    }

    /// Makes room above the plot area for a subtitle of more than one line.
    public mutating func fitSubtitle(_ subtitle: String) {
        let extra = Double(max(subtitleLines(subtitle).count - 1, 0)) * 13
        top += extra
        height += extra
    }

    /// How many characters of the given font size fit in `pixels`, by TextBox's estimate.
    public static func characters(_ pixels: Double, size: Double) -> Int {
        max(Int(pixels / (size * TextBox.advance)), 8)
    }

    /// A line under the plot: a warning (dark red italics) or a plain note (grey).
    public struct Footnote: Sendable {
        public var text: String
        public var warning: Bool
        public init(_ text: String, warning: Bool = false) { self.text = text; self.warning = warning }
    }

    /// Footnotes in lines that fit the canvas' width.
    public func footnoteLines(_ notes: [Footnote]) -> [Footnote] {
        let chars = PlotFrame.characters(width - plotLeft - 8, size: PlotFrame.footnoteFont)
        return notes.flatMap { n in PlotFrame.wrapClauses(n.text, chars).map { Footnote($0, warning: n.warning) } }
    }

    /// Makes room below the x-axis title for these footnotes: the canvas grows, the plot area
    /// stays. Call before drawing them; the SVG's height must follow (`svg.height = frame.height`).
    public mutating func fitFootnotes(_ notes: [Footnote]) {
        let extra = Double(max(footnoteLines(notes).count - 1, 0)) * PlotFrame.footnoteLineHeight
        bottom += extra
        height += extra
    }

    /// Footnotes below the x-axis title, the first where the bottom margin has room for it.
    public func drawFootnotes(_ svg: inout SVGDocument, _ notes: [Footnote]) {
        guard !notes.isEmpty else { return }
        svg.openGroup(className: "footnotes")
        var y = plotBottom + 58
        for line in footnoteLines(notes) {
            svg.text(line.text, plotLeft, y, size: PlotFrame.footnoteFont, fill: line.warning ? "#a00" : "#555", italic: line.warning)
            y += PlotFrame.footnoteLineHeight
        }
        svg.closeGroup()
    }

    /// A placer for labels inside the plot area, clear of every text drawn so far.
    public func labelPlacer(_ svg: SVGDocument) -> LabelPlacer {
        LabelPlacer(area: TextBox(minX: plotLeft + 2, minY: plotTop + 2, maxX: plotRight - 2, maxY: plotBottom - 2),
                    gap: 2, taken: svg.textBoxes)
    }

    /// The tick labels that can be shown: all, or every second, third… when neighbours would
    /// come closer than 4 px (the grid keeps every tick).
    public static func thinned(_ ticks: [(Double, String)], box: ((Double, String)) -> TextBox) -> [(Double, String)] {
        guard ticks.count > 1 else { return ticks }
        for stride in 1..<ticks.count {
            let kept = ticks.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
            let boxes = kept.map(box)
            if !zip(boxes, boxes.dropFirst()).contains(where: { $0.0.overlaps($0.1, gap: 4) }) { return kept }
        }
        return [ticks[0]]
    }

    public var plotLeft: Double { left }
    public var plotRight: Double { width - right }
    public var plotTop: Double { top }
    public var plotBottom: Double { height - bottom }

    /// Title, grid, axes, ticks and axis titles.
    public func drawAxes(_ svg: inout SVGDocument, title: String, subtitle: String? = nil, x: PlotScale, y: PlotScale,
                         xLabel: String, yLabel: String, xTicks: [(Double, String)]? = nil, yTicks: [(Double, String)]? = nil) {
        svg.text(title, titleX, 22, size: 16, weight: "bold")
        if let subtitle {
            for (i, line) in subtitleLines(subtitle).enumerated() {
                svg.text(line, titleX, 38 + Double(i) * 13, size: PlotFrame.smallFont, fill: "#555")
            }
        }
        svg.openGroup(className: "grid")
        for (v, _) in xTicks ?? x.ticks() { svg.line(x(v), plotTop, x(v), plotBottom, stroke: "#e5e5e5") }
        for (v, _) in yTicks ?? y.ticks() { svg.line(plotLeft, y(v), plotRight, y(v), stroke: "#e5e5e5") }
        svg.closeGroup()
        svg.openGroup(className: "axes")
        svg.line(plotLeft, plotBottom, plotRight, plotBottom, stroke: "#333")
        svg.line(plotLeft, plotTop, plotLeft, plotBottom, stroke: "#333")
        let xs = xTicks ?? x.ticks(), ys = yTicks ?? y.ticks()
        let xLabels = Set(PlotFrame.thinned(xs) { t in
            TextBox.estimate(t.1, x: x(t.0), y: plotBottom + 18, size: PlotFrame.smallFont, anchor: "middle")
        }.map(\.0))
        for (v, label) in xs {
            svg.line(x(v), plotBottom, x(v), plotBottom + 5, stroke: "#333")
            if xLabels.contains(v) { svg.text(label, x(v), plotBottom + 18, size: PlotFrame.smallFont, anchor: "middle") }
        }
        let yLabels = Set(PlotFrame.thinned(ys) { t in
            TextBox.estimate(t.1, x: plotLeft - 8, y: y(t.0) + 4, size: PlotFrame.smallFont, anchor: "end")
        }.map(\.0))
        for (v, label) in ys {
            svg.line(plotLeft - 5, y(v), plotLeft, y(v), stroke: "#333")
            if yLabels.contains(v) { svg.text(label, plotLeft - 8, y(v) + 4, size: PlotFrame.smallFont, anchor: "end") }
        }
        svg.text(xLabel, (plotLeft + plotRight) / 2, plotBottom + 44, size: 12, anchor: "middle")
        svg.text(yLabel, 18, (plotTop + plotBottom) / 2, size: 12, anchor: "middle", rotate: -90)
        svg.closeGroup()
    }

    public enum LegendMark { case point, line, dashedLine, box, dashed(String) }

    /// Characters per legend line: what fits between the mark and the canvas' right edge.
    public var legendCharacters: Int { PlotFrame.characters(width - plotRight - 44, size: PlotFrame.smallFont) }

    /// Legend entries stacked to the right of the plot area; long labels wrap to fit the canvas.
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
            case .dashed(let pattern): svg.line(x, y - 4, x + 16, y - 4, stroke: e.color, width: 1.6, dash: pattern)
            }
            for (i, part) in PlotFrame.wrap(e.label, legendCharacters).enumerated() {
                svg.text(part, x + 22, y + Double(i) * 13, size: PlotFrame.smallFont)
                if i > 0 { y += 13 }
            }
            y += 19
        }
        svg.closeGroup()
    }

    /// Like `wrap`, breaking after "; " where it can, so that a line holds whole clauses.
    static func wrapClauses(_ text: String, _ width: Int) -> [String] {
        guard text.count > width else { return [text] }
        let parts = text.components(separatedBy: "; ")
        var clauses: [String] = []
        for (i, part) in parts.enumerated() { clauses.append(i < parts.count - 1 ? part + ";" : part) }
        var lines: [String] = []
        var current = ""
        for clause in clauses {
            if current.isEmpty {
                current = clause
            } else if current.count + 1 + clause.count <= width {
                current += " " + clause
            } else {
                lines.append(current)
                current = clause
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.flatMap { wrap($0, width) }
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
