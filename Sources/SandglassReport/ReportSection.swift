// One table of a report as the generator and the README index need it: the files it writes,
// its line under "Tables", its headline lines, or why it was skipped. A new table is one file
// whose builder returns a ReportSection, listed once in `ReportSections.all`.
import SandglassHarness

public struct ReportSection: Sendable {
    /// The README's link title, e.g. "Table 7: MobileNeXt across α".
    public var title: String
    /// The Markdown file the title links to.
    public var markdownPath: String
    /// Further links after the title, e.g. ("CSV", "table7.csv").
    public var links: [(label: String, path: String)]
    /// What the table holds, after the links.
    public var what: String
    /// Relative path → contents (empty when skipped).
    public var files: [String: String] = [:]
    /// Plots the section draws, (title, path) in README order.
    public var plots: [(title: String, path: String)] = []
    /// Lines for the README's Headlines.
    public var headlines: [String] = []
    /// Why nothing was written: "Table 6: no … (run …)".
    public var skipped: String?

    public init(title: String, markdownPath: String, links: [(label: String, path: String)] = [], what: String) {
        self.title = title; self.markdownPath = markdownPath; self.links = links; self.what = what
    }

    /// Every path the section may write: what a regenerated report replaces.
    public var ownedPaths: [String] { [markdownPath] + links.map(\.path) }
}

public enum ReportSections {
    /// The report's tables, in README order.
    public static let all: [@Sendable (ResultsCollection) -> ReportSection] = [
        { Table7.build($0).section }, { Table3.build($0).section }, { Table4.build($0).section }, { Table6.build($0).section },
        { AddVersusMAC.build($0).section }, { BoardComparison.section($0) },
    ]

    /// Files every section may write (a report with no points still names them all).
    public static let ownedFiles: [String] = [
        Table7.ownedPaths, Table3.ownedPaths, Table4.ownedPaths, Table6.ownedPaths, AddVersusMAC.ownedPaths, BoardComparison.ownedPaths,
    ].flatMap { $0 }
}
