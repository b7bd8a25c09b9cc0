// Point records as CSV (RFC 4180): parameters under their CLI names, latency statistics,
import Foundation
// counts and memory, one row per point.

public enum CSVExport {
    public static let columns = ["id", "board", "model", "width", "alpha", "resolution", "threads", "add", "counters", "pin",
                                 "isa", "isa_used", "median_ms", "ci_low_ms", "ci_high_ms", "p10_ms", "p90_ms", "min_ms",
                                 "max_ms", "mean_ms", "stddev_ms", "count", "outliers_low", "outliers_high", "stop_reason",
                                 "warmup_runs", "params", "params_conv_fc", "madds", "shortcut_adds", "bytes_read",
                                 "bytes_written", "packed_weight_bytes", "arena_bytes", "peak_resident_bytes", "warnings"]

    public static func csv(_ points: [PointRecord]) -> String {
        var lines = [columns.joined(separator: ",")]
        for p in points {
            let l = p.latencyMs
            let fields: [String] = [
                p.id, p.board ?? "", p.model, "\(p.width)", p.alpha.description, "\(p.resolution)", "\(p.threads)", p.add.rawValue, p.counters.description,
                p.pin.description, p.isa.description, p.isaUsed, "\(l.median)", "\(l.ciLow)", "\(l.ciHigh)", "\(l.p10)", "\(l.p90)", "\(l.min)",
                "\(l.max)", "\(l.mean)", "\(l.stddev)", "\(l.count)", "\(p.outliers.low)", "\(p.outliers.high)", p.stopReason,
                "\(p.warmup.runs)", "\(p.totals.params)", "\(p.totals.paramsConvFC)", "\(p.totals.madds)",
                "\(p.totals.shortcutAdds)", "\(p.totals.bytesRead)", "\(p.totals.bytesWritten)",
                "\(p.memory.packedWeightBytes)", "\(p.memory.arenaBytes)", p.memory.peakResidentBytes.map(String.init) ?? "",
                p.warnings.joined(separator: " | "),
            ]
            lines.append(fields.map(escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quotes a field when it holds a comma, quote or line break.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
