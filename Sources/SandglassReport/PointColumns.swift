// Columns that the per-point tables (Table 3, Table 7) share, with the cells that fill them from
// a point record: the measurement setting (CSV only, where a Markdown section title says it),
// the model's counts, and the latency with its CI, p90 and sample count.
import SandglassHarness

enum PointColumns {
    static let setting: [ReportColumn] = [
        ReportColumn(nil, csv: "board", numeric: false),
        ReportColumn(nil, csv: "resolution_px"),
        ReportColumn(nil, csv: "threads"),
        ReportColumn(nil, csv: "add", numeric: false),
        ReportColumn(nil, csv: "isa", numeric: false),
        ReportColumn(nil, csv: "pin", numeric: false),
    ]

    static let counts: [ReportColumn] = [
        ReportColumn("Params (M)", csv: "params_m"),
        ReportColumn("MAdds (M)", csv: "madds_m"),
        ReportColumn("Shortcut adds (per inference)", csv: "shortcut_adds"),
    ]

    static let latency: [ReportColumn] = [
        ReportColumn("Latency median (ms)", csv: "latency_median_ms"),
        ReportColumn("95% CI of median (ms)", csv: nil, numeric: false),
        ReportColumn(nil, csv: "latency_ci_low_ms"),
        ReportColumn(nil, csv: "latency_ci_high_ms"),
        ReportColumn("p90 (ms)", csv: "latency_p90_ms"),
        ReportColumn("Samples", csv: "samples"),
    ]

    static func settingCells(_ p: PointRecord) -> [String] {
        [p.board ?? "", "\(p.resolution)", "\(p.threads)", p.add.rawValue, p.isaUsed, p.pin.description]
    }

    static func countCells(_ p: PointRecord) -> [String] {
        [ReportFormat.millions(p.totals.params), ReportFormat.millions(p.totals.madds), "\(p.totals.shortcutAdds)"]
    }

    static func latencyCells(_ l: LatencyStatistics) -> [String] {
        let ciLow = ReportFormat.ms(l.ciLow), ciHigh = ReportFormat.ms(l.ciHigh)
        return [ReportFormat.ms(l.median), "[\(ciLow), \(ciHigh)]", ciLow, ciHigh, ReportFormat.ms(l.p90), "\(l.count)"]
    }

    /// Each numbered row's carried-over warnings, as "No. N: warning".
    static func warningLines(_ rows: [(number: Int, record: PointRecord)]) -> [String] {
        rows.flatMap { row in row.record.warnings.map { "No. \(row.number): \($0)" } }
    }
}
