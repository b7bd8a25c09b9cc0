import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SandglassHarness
import SandglassReport
import XCTest

/// The frozen fixtures (results of real quick sweeps, see Fixtures/regenerate.sh) and small
/// readers for what a report writes: Markdown tables and RFC 4180 CSV.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let alpha = directory.appendingPathComponent("Fixtures/fixture-alpha.jsonl").path
    static let widths = directory.appendingPathComponent("Fixtures/fixture-widths.jsonl").path
    static let golden = directory.appendingPathComponent("Golden")

    static func contents(_ path: String) throws -> ResultsContents { try ResultsFile.read(path) }

    /// Both fixtures, named as the golden files name them.
    static func both() throws -> ResultsCollection {
        try ResultsCollection.load(paths: [alpha, widths], names: ["fixture-alpha.jsonl", "fixture-widths.jsonl"])
    }

    static func collection(_ sources: [(String, ResultsContents)]) -> ResultsCollection {
        ResultsCollection(sources: sources.map { ResultsSource(name: $0.0, contents: $0.1) })
    }

    static func report(_ c: ResultsCollection) -> GeneratedReport {
        ReportGenerator.generate(c, options: ReportOptions(title: "Fixture report", notes: ["fixture: a noisy shared machine"]))
    }
}

/// A Markdown table: header titles and rows of cells.
struct MarkdownTable {
    var headers: [String]
    var rows: [[String]]

    func column(_ title: String) -> [String]? {
        headers.firstIndex(of: title).map { i in rows.map { $0[i] } }
    }

    /// Every table in a Markdown text, in order.
    static func all(in text: String) -> [MarkdownTable] {
        var tables: [MarkdownTable] = []
        var lines: [[String]] = []
        func flush() {
            if lines.count >= 2 { tables.append(MarkdownTable(headers: lines[0], rows: Array(lines.dropFirst(2)))) }
            lines = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else { flush(); continue }
            var cells: [String] = []
            var current = ""
            var escaped = false
            for ch in line.dropFirst() {
                if escaped { current.append(ch); escaped = false; continue }
                if ch == "\\" { escaped = true; continue }
                if ch == "|" { cells.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue }
                current.append(ch)
            }
            lines.append(cells)
        }
        flush()
        return tables
    }
}

/// RFC 4180 CSV: quoted fields with doubled quotes, commas and line breaks inside quotes.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)
        if chars.last != "\n" { chars.append("\n") }
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            if quoted {
                if ch == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else { field.append(ch) }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                row.append(field); field = ""
            } else if ch == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else if ch != "\r" {
                field.append(ch)
            }
            i += 1
        }
        return rows
    }

    /// Rows as dictionaries keyed by the header.
    static func records(_ text: String) -> (header: [String], rows: [[String: String]]) {
        let all = parse(text)
        guard let header = all.first else { return ([], []) }
        return (header, all.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) })
    }
}

/// Collects what an SVG holds, parsing it with Foundation's XMLParser (which fails on any
/// XML that is not well formed).
final class SVGInspector: NSObject, XMLParserDelegate {
    /// A text element with what placing it took, and the classes of the groups around it.
    struct TextItem {
        var text: String
        var x: Double
        var y: Double
        var size: Double
        var anchor: String
        var rotate: Double?
        var groups: [String]
        var ceiling: String?
    }

    struct LineItem {
        var dash: String?
        var groups: [String]
        var ceiling: String?
    }

    var series: [String] = []
    var elements: [String: Int] = [:]
    var texts: [String] = []
    var rootName: String?
    var groupClasses: [String] = []
    var width = 0.0
    var height = 0.0
    var textItems: [TextItem] = []
    var lines: [LineItem] = []
    /// Fills of rects, with the classes of the groups around each.
    var rects: [(fill: String, groups: [String])] = []
    /// data-ceiling names of the ceiling groups, in order.
    var ceilings: [String] = []
    private var text = ""
    private var stack: [[String: String]] = []
    private var openText: [String: String]?

    static func inspect(_ svg: String) -> (SVGInspector, Bool, Error?) {
        let inspector = SVGInspector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = inspector
        let ok = parser.parse()
        return (inspector, ok, parser.parserError)
    }

    private var classes: [String] { stack.compactMap { $0["class"] } }
    private var ceiling: String? { stack.last { $0["data-ceiling"] != nil }?["data-ceiling"] }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if rootName == nil {
            rootName = name
            width = Double(attributes["width"] ?? "") ?? 0
            height = Double(attributes["height"] ?? "") ?? 0
        }
        elements[name, default: 0] += 1
        if let s = attributes["data-series"] { series.append(s) }
        if name == "g", let c = attributes["class"] { groupClasses.append(c) }
        if name == "g" {
            stack.append(attributes)
            if let c = attributes["data-ceiling"] { ceilings.append(c) }
        }
        if name == "text" { openText = attributes }
        if name == "line" { lines.append(LineItem(dash: attributes["stroke-dasharray"], groups: classes, ceiling: ceiling)) }
        if name == "rect", let fill = attributes["fill"] { rects.append((fill, classes)) }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" || name == "title" { texts.append(text) }
        if name == "text", let a = openText {
            var rotate: Double?
            if let t = a["transform"], t.hasPrefix("rotate(") {
                rotate = Double(t.dropFirst("rotate(".count).split(separator: " ").first ?? "")
            }
            textItems.append(TextItem(text: text, x: Double(a["x"] ?? "") ?? .nan, y: Double(a["y"] ?? "") ?? .nan,
                                      size: Double(a["font-size"] ?? "") ?? .nan, anchor: a["text-anchor"] ?? "start",
                                      rotate: rotate, groups: classes, ceiling: ceiling))
            openText = nil
        }
        if name == "g" { stack.removeLast() }
        text = ""
    }
}

/// Text boxes estimated from an SVG's own attributes, independently of the report's code:
/// width = characters × 0.6 × font size, 0.8 × size above the baseline, 0.25 below.
enum TextExtent {
    struct Box {
        var minX, minY, maxX, maxY: Double
        func overlaps(_ o: Box) -> Bool { minX < o.maxX && o.minX < maxX && minY < o.maxY && o.minY < maxY }
    }

    static func box(_ t: SVGInspector.TextItem) -> Box {
        let w = Double(t.text.count) * t.size * 0.6
        let x0: Double
        switch t.anchor {
        case "middle": x0 = t.x - w / 2
        case "end": x0 = t.x - w
        default: x0 = t.x
        }
        let b = Box(minX: x0, minY: t.y - 0.8 * t.size, maxX: x0 + w, maxY: t.y + 0.25 * t.size)
        guard let r = t.rotate, r != 0 else { return b }
        // Quarter turns about the anchor point (the only rotation plots use: axis titles).
        precondition(abs(abs(r) - 90) < 1e-9, "unexpected rotation \(r)")
        let s = r > 0 ? 1.0 : -1.0
        let xs = [b.minX, b.maxX].map { $0 - t.x }, ys = [b.minY, b.maxY].map { $0 - t.y }
        let rx = ys.map { t.x - s * $0 }, ry = xs.map { t.y + s * $0 }
        return Box(minX: rx.min()!, minY: ry.min()!, maxX: rx.max()!, maxY: ry.max()!)
    }

    /// Pairs of non-empty texts whose boxes overlap, and texts outside the canvas, as messages.
    static func problems(_ svg: SVGInspector) -> [String] {
        let items = svg.textItems.filter { !$0.text.isEmpty }
        let boxes = items.map(box)
        var out: [String] = []
        for i in items.indices {
            let b = boxes[i]
            if b.minX < 0 || b.minY < 0 || b.maxX > svg.width || b.maxY > svg.height {
                out.append("outside the \(svg.width)×\(svg.height) canvas: \"\(items[i].text)\" \(b)")
            }
            for j in items.indices where j > i && b.overlaps(boxes[j]) {
                out.append("overlap: \"\(items[i].text)\" and \"\(items[j].text)\"")
            }
        }
        return out
    }
}
