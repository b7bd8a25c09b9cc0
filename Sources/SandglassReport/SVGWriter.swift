// A small SVG writer: elements as strings with escaped text, coordinates rounded to 0.01 px,
// presentation attributes only (no CSS, no scripts), so that the files render the same on
// GitHub (which shows SVG through <img>), in browsers and in editors. Groups carry
// `data-series` names so that tests and readers can find each plotted series. Every text's
// estimated box is kept (`textBoxes`), so that labels placed later can keep clear of it.
import Foundation

public struct SVGDocument {
    public let width: Double
    /// May grow after drawing started (a plot adding footnotes below its axes).
    public var height: Double
    let title: String
    let description: String
    private var body: [String] = []
    private var depth = 1
    /// The estimated box of every text drawn so far (see TextBox.estimate).
    public private(set) var textBoxes: [TextBox] = []

    public init(width: Double, height: Double, title: String, description: String = "") {
        self.width = width; self.height = height; self.title = title; self.description = description
    }

    public static func number(_ x: Double) -> String {
        let s = String(format: "%.2f", x)
        var t = Substring(s)
        while t.hasSuffix("0") { t = t.dropLast() }
        if t.hasSuffix(".") { t = t.dropLast() }
        return t == "-0" ? "0" : String(t)
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func attributes(_ attrs: [(String, String?)]) -> String {
        attrs.compactMap { k, v in v.map { " \(k)=\"\(escape($0))\"" } }.joined()
    }

    private mutating func emit(_ line: String) { body.append(String(repeating: "  ", count: depth) + line) }

    /// Opens a group; `series` names a plotted series (data-series), `className` what it holds.
    public mutating func openGroup(series: String? = nil, className: String? = nil, extra: [(String, String?)] = []) {
        emit("<g" + SVGDocument.attributes([("class", className), ("data-series", series)] + extra) + ">")
        depth += 1
    }

    public mutating func closeGroup() {
        depth -= 1
        emit("</g>")
    }

    /// A tooltip-bearing element: `<tag …><title>…</title></tag>` or `<tag …/>`.
    private mutating func element(_ tag: String, _ attrs: [(String, String?)], tooltip: String?) {
        let a = SVGDocument.attributes(attrs)
        if let tooltip { emit("<\(tag)\(a)><title>\(SVGDocument.escape(tooltip))</title></\(tag)>") } else { emit("<\(tag)\(a)/>") }
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#333",
                              width: Double = 1, dash: String? = nil, tooltip: String? = nil) {
        element("line", [("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)), ("y2", Self.number(y2)),
                         ("stroke", stroke), ("stroke-width", Self.number(width)), ("stroke-dasharray", dash)], tooltip: tooltip)
    }

    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil,
                              strokeWidth: Double? = nil, tooltip: String? = nil) {
        element("rect", [("x", Self.number(x)), ("y", Self.number(y)), ("width", Self.number(max(0, w))),
                         ("height", Self.number(max(0, h))), ("fill", fill), ("stroke", stroke),
                         ("stroke-width", strokeWidth.map(Self.number))], tooltip: tooltip)
    }

    public mutating func circle(_ cx: Double, _ cy: Double, r: Double, fill: String, stroke: String? = nil,
                                tooltip: String? = nil) {
        element("circle", [("cx", Self.number(cx)), ("cy", Self.number(cy)), ("r", Self.number(r)), ("fill", fill),
                           ("stroke", stroke)], tooltip: tooltip)
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5, dash: String? = nil) {
        guard points.count >= 2 else { return }
        let p = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
        element("polyline", [("points", p), ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.number(width)),
                             ("stroke-dasharray", dash)], tooltip: nil)
    }

    public mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 12, anchor: String = "start",
                              weight: String? = nil, fill: String = "#222", rotate: Double? = nil, italic: Bool = false) {
        let transform = rotate.map { "rotate(\(Self.number($0)) \(Self.number(x)) \(Self.number(y)))" }
        textBoxes.append(TextBox.estimate(s, x: x, y: y, size: size, anchor: anchor, rotate: rotate))
        emit("<text" + SVGDocument.attributes([("x", Self.number(x)), ("y", Self.number(y)), ("font-size", Self.number(size)),
                                               ("text-anchor", anchor), ("font-weight", weight), ("fill", fill),
                                               ("font-style", italic ? "italic" : nil), ("transform", transform)])
             + ">\(SVGDocument.escape(s))</text>")
    }

    public func render() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
        out += "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        out += "  <title>\(SVGDocument.escape(title))</title>\n"
        if !description.isEmpty { out += "  <desc>\(SVGDocument.escape(description))</desc>\n" }
        out += "  <rect x=\"0\" y=\"0\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"#ffffff\"/>\n"
        out += body.joined(separator: "\n") + (body.isEmpty ? "" : "\n")
        out += "</svg>\n"
        return out
    }
}
