// RFC 4180 CSV: one header row of snake_case names with units, fields quoted only when they
// hold a comma, quote or line break (the harness's escaping, shared with `sandglass export`).
// Absent figures are empty fields, not "—", so that CSV readers see missing values.
import SandglassHarness

public enum CSVTableWriter {
    public static func render(_ table: ReportTable) -> String {
        let shown = table.columns.indices.filter { table.columns[$0].csvName != nil }
        var lines = [shown.map { CSVExport.escape(table.columns[$0].csvName!) }.joined(separator: ",")]
        for row in table.rows {
            lines.append(shown.map { CSVExport.escape(row[$0] == ReportFormat.missing ? "" : row[$0]) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
