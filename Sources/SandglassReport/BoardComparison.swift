// Boards side by side, when the results hold more than one board (several boards in one file,
// or one file per board): every point measured on two or more boards, its median latency on
// each, and each board's latency relative to the first board's.

public struct BoardComparison: Sendable {
    public var boards: [String?] = []
    public var rows: [(label: String, id: String, byBoard: [ReportPoint?])] = []

    public static let markdownPath = "boards.md"
    public static let csvPath = "boards.csv"

    public static func build(_ c: ResultsCollection) -> BoardComparison? {
        let boards = c.boards.sorted { ($0 ?? "") < ($1 ?? "") }
        guard boards.count > 1 else { return nil }
        var b = BoardComparison()
        b.boards = boards
        var ids: [String] = []
        var byID: [String: [String?: ReportPoint]] = [:]
        for p in c.points {
            if byID[p.record.id] == nil { ids.append(p.record.id) }
            byID[p.record.id, default: [:]][p.record.board] = p
        }
        for id in ids where byID[id]!.count >= 2 {
            let points = boards.map { byID[id]![$0] }
            var label = points.compactMap { $0 }.first!.record
            label.board = nil
            b.rows.append((PointSelection.label(label), id, points))
        }
        b.rows.sort { $0.label < $1.label }
        return b
    }

    static func name(_ board: String?) -> String { board ?? "local" }

    var table: ReportTable {
        var columns = [ReportColumn("Point", csv: "point", numeric: false)]
        for board in boards {
            let n = BoardComparison.name(board)
            columns.append(ReportColumn("\(n): median (ms)", csv: "\(n)_median_ms"))
            columns.append(ReportColumn("\(n): 95% CI (ms)", csv: nil, numeric: false))
            columns.append(ReportColumn(nil, csv: "\(n)_ci_low_ms"))
            columns.append(ReportColumn(nil, csv: "\(n)_ci_high_ms"))
            if board != boards.first! {
                columns.append(ReportColumn("\(n) vs \(BoardComparison.name(boards.first!)) (×)", csv: "\(n)_relative_to_\(BoardComparison.name(boards.first!))"))
            }
        }
        columns.append(ReportColumn(nil, csv: "point_id", numeric: false))
        var t = ReportTable(columns)
        for row in rows {
            var cells = [row.label]
            let first = row.byBoard.first!?.record.latencyMs.median
            for (i, p) in row.byBoard.enumerated() {
                let l = p?.record.latencyMs
                let lo = ReportFormat.ms(l?.ciLow), hi = ReportFormat.ms(l?.ciHigh)
                cells += [ReportFormat.ms(l?.median), l == nil ? ReportFormat.missing : "[\(lo), \(hi)]", lo, hi]
                if i > 0 { cells.append(ReportFormat.ratio(l.flatMap { m in first.map { m.median / $0 } })) }
            }
            cells.append(row.id)
            t.add(cells)
        }
        return t
    }

    public var markdown: String {
        var out = "# Boards side by side\n\n"
        out += "Every point measured on more than one board: median latency with its 95% CI on each board, and each board relative to \(BoardComparison.name(boards.first!)). "
        out += "Points measured on one board only are in the other tables.\n\n"
        if rows.isEmpty { return out + "No point was measured on more than one board.\n" }
        return out + MarkdownTableWriter.render(table)
    }

    public var csv: String { CSVTableWriter.render(table) }
}

extension BoardComparison {
    static let ownedPaths = [markdownPath, csvPath]

    /// Written only when the results hold more than one board; never listed as skipped.
    static func section(_ c: ResultsCollection) -> ReportSection {
        var s = ReportSection(title: "Boards side by side", markdownPath: markdownPath, links: [("CSV", csvPath)],
                              what: "every point measured on more than one board")
        if let boards = build(c) {
            s.files[markdownPath] = boards.markdown
            s.files[csvPath] = boards.csv
        }
        return s
    }
}
