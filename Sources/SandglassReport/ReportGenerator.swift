// Builds a whole report from a results collection, as relative path → file contents (pure:
// no disk, so tests compare outputs directly), then writes it into a directory. Outputs whose
// points are absent are skipped with the reason, never written half-empty.
import Foundation
import SandglassHarness

public struct ReportOptions: Sendable {
    /// The README's title; default: from the sweeps' names.
    public var title: String?
    /// Notes from whoever runs the report (shown as theirs, for example "shared, noisy machine").
    public var notes: [String] = []
    /// When the report was generated (left out when nil, as in golden tests).
    public var generatedAt: String?
    /// The command that regenerates the report.
    public var command: String?

    public init(title: String? = nil, notes: [String] = [], generatedAt: String? = nil, command: String? = nil) {
        self.title = title; self.notes = notes; self.generatedAt = generatedAt; self.command = command
    }
}

public struct GeneratedReport: Sendable {
    /// Relative path → contents.
    public var files: [String: String] = [:]
    /// What was not produced, and why.
    public var skipped: [String] = []
    /// Per plot path: what the plot leaves out or why it was skipped, as the README lists it
    /// under the plot's heading.
    public var plotNotes: [String: [String]] = [:]
    /// Warnings carried over from the results.
    public var warnings: [String] = []

    public var paths: [String] { files.keys.sorted() }
}

public enum ReportGenerator {
    /// Top-level files and folders a report owns (replaced when it is regenerated).
    public static let ownedFiles = ["README.md"] + ReportSections.ownedFiles
    public static let ownedFolders = ["layers", "plots"]

    public static func generate(_ c: ResultsCollection, options: ReportOptions = ReportOptions()) -> GeneratedReport {
        var r = GeneratedReport()
        let colors = OpColors(c)

        let sections = ReportSections.all.map { $0(c) }
        for section in sections {
            r.files.merge(section.files) { _, new in new }
            if let skipped = section.skipped { r.skipped.append(skipped) }
        }

        // The latency-versus-MAdds plot, beside Table 3, with what it leaves out.
        let table3 = Table3.build(c)
        if table3.skippedReason == nil {
            if let reason = LatencyVersusMAddsPlot.skipReason(table3) {
                r.plotNotes[LatencyVersusMAddsPlot.path] = ["Skipped: \(reason)."]
            } else {
                r.files[LatencyVersusMAddsPlot.path] = LatencyVersusMAddsPlot.render(table3)
                r.plotNotes[LatencyVersusMAddsPlot.path] = LatencyVersusMAddsPlot.plan(table3).leftOut.map { "Leaves out \($0)." }
            }
        }

        let breakdown = LayerBreakdown.build(c)
        if breakdown.entries.isEmpty {
            r.skipped.append("Per-layer breakdowns, per-layer time and rooflines: no point has per-layer records (sweep with per-layer-iterations or counters, e.g. `--preset add-vs-mac`)")
        }
        for e in breakdown.entries {
            let calibration = c.calibration(for: e.point)
            let roofline = RooflinePlot.path(e.slug)
            r.files[roofline] = RooflinePlot.render(e.point.record, calibration: calibration, colors: colors)
            let latest = c.points.first { $0.key == e.point.key }
            let supersededBy = latest.flatMap { $0.sourceIndex != e.point.sourceIndex ? c.sources[$0.sourceIndex].name : nil }
            r.files[e.markdownPath] = breakdown.markdown(e, sourceName: c.sources[e.point.sourceIndex].name, rooflinePath: "../" + roofline,
                                                         supersededBy: supersededBy)
            r.files[e.csvPath] = breakdown.csv(e)
        }
        r.files[LayerTimeStackedBarsPlot.path] = LayerTimeStackedBarsPlot.render(breakdown, colors: colors)

        r.warnings = ReportWarnings.collect(c)
        let index = ReportIndex(collection: c, options: options, sections: sections, breakdown: breakdown,
                                written: Set(r.files.keys), skipped: r.skipped, warnings: r.warnings, plotNotes: r.plotNotes)
        r.files["README.md"] = index.markdown
        // Plots skipped as a whole are reported with the rest (the README has them under Plots).
        if let reason = r.plotNotes[LatencyVersusMAddsPlot.path]?.first, r.files[LatencyVersusMAddsPlot.path] == nil {
            r.skipped.append("The latency-versus-MAdds plot: " + reason.dropFirst("Skipped: ".count))
        }
        return r
    }

    /// Writes a report into `directory`, beside whatever else is there (such as the results
    /// files). An earlier report's files are replaced, its layers/ and plots/ folders removed
    /// first so that no stale file survives; files of the same names that an earlier report did
    /// not write (no marker in README.md) are never overwritten unless `force`.
    public static func write(_ report: GeneratedReport, to directory: String, force: Bool = false) throws {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: root.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ReportError("--out \(directory) is a file: give a directory for the report") }
            let entries = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
            let readme = try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
            let earlierReport = readme?.hasPrefix(ReportIndex.marker) ?? false
            let clashes = entries.filter { ownedFiles.contains($0) || ownedFolders.contains($0) }.sorted()
            if !clashes.isEmpty && !earlierReport && !force {
                throw ReportError("\(directory) already holds \(clashes.joined(separator: ", ")), not written by `sandglass report`: choose another --out, or pass --force to replace them")
            }
            for name in ownedFolders + ownedFiles {
                let url = root.appendingPathComponent(name)
                if fm.fileExists(atPath: url.path) { try fm.removeItem(at: url) }
            }
        }
        do {
            for path in report.paths {
                let url = root.appendingPathComponent(path)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try report.files[path]!.write(to: url, atomically: true, encoding: .utf8)
            }
        } catch {
            throw ReportError("cannot write the report into \(directory): \(error.localizedDescription)", usage: false)
        }
    }
}
