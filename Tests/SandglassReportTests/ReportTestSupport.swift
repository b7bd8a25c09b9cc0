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
    var series: [String] = []
    var elements: [String: Int] = [:]
    var texts: [String] = []
    var rootName: String?
    var groupClasses: [String] = []
    private var text = ""

    static func inspect(_ svg: String) -> (SVGInspector, Bool, Error?) {
        let inspector = SVGInspector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = inspector
        let ok = parser.parse()
        return (inspector, ok, parser.parserError)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if rootName == nil { rootName = name }
        elements[name, default: 0] += 1
        if let s = attributes["data-series"] { series.append(s) }
        if name == "g", let c = attributes["class"] { groupClasses.append(c) }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" || name == "title" { texts.append(text) }
        text = ""
    }
}
