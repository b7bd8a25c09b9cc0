// GitHub-flavoured Markdown tables: a header row, an alignment row (numbers right-aligned),
// cells with pipes escaped and line breaks flattened.

public enum MarkdownTableWriter {
    public static func render(_ table: ReportTable) -> String {
        let shown = table.columns.indices.filter { table.columns[$0].title != nil }
        var lines: [String] = []
        lines.append("| " + shown.map { escape(table.columns[$0].title!) }.joined(separator: " | ") + " |")
        lines.append("|" + shown.map { table.columns[$0].numeric ? "---:" : ":---" }.joined(separator: "|") + "|")
        for row in table.rows {
            lines.append("| " + shown.map { escape(row[$0]) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ cell: String) -> String {
        cell.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
