// One table of a report, rendered both as Markdown and as CSV from the same cell strings.
// A column may appear in one rendering only: Markdown shows a confidence interval as
// "[low, high]" in one column where CSV has two numeric columns, so that a CSV reader gets
// numbers and a human reader gets a compact table.

public struct ReportColumn: Sendable {
    /// Markdown header, with the unit ("Latency median (ms)"); nil: CSV only.
    public var title: String?
    /// CSV header, snake_case with the unit ("latency_median_ms"); nil: Markdown only.
    public var csvName: String?
    /// Numbers align right in Markdown.
    public var numeric: Bool

    public init(_ title: String?, csv: String?, numeric: Bool = true) {
        self.title = title; self.csvName = csv; self.numeric = numeric
    }
}

public struct ReportTable: Sendable {
    public var columns: [ReportColumn]
    public var rows: [[String]] = []

    public init(_ columns: [ReportColumn]) { self.columns = columns }

    public mutating func add(_ row: [String]) {
        precondition(row.count == columns.count, "a row has \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    public var isEmpty: Bool { rows.isEmpty }
}

extension ReportTable {
    /// The rows of several tables with the same columns, one after another (sections of a
    /// Markdown file that share one CSV file).
    public static func concatenated(_ tables: [ReportTable]) -> ReportTable? {
        guard var result = tables.first else { return nil }
        for t in tables.dropFirst() { result.rows += t.rows }
        return result
    }
}
