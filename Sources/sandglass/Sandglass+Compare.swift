import ArgumentParser
import Foundation
import SandglassHarness

extension Sandglass {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two results files point by point (median change and a Mann-Whitney U test); exit 1: a regression, 2: bad input.",
            discussion: """
            Exit codes: 0 when no point regresses; 1 with --fail-above PCT, when a point is significantly slower by \
            more than PCT percent (for CI); 2 for bad input: a missing or unreadable file, a file that is not a \
            Sandglass results file, or two files without a point in common (no table is printed then).
            """)

        @Argument(help: "Baseline results file.")
        var baseline: String

        @Argument(help: "Candidate results file.")
        var candidate: String

        @Option(help: "Fail (exit 1) on a significant slowdown larger than this many percent.")
        var failAbove: Double?

        @Option(help: "Significance level of the Mann-Whitney U test.")
        var significance: Double = 0.05

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        func validate() throws {
            if let failAbove, failAbove < 0 { throw ValidationError("--fail-above must be a percentage ≥ 0") }
            guard significance > 0 && significance < 1 else { throw ValidationError("--significance must be in (0, 1)") }
            guard format != .csv else { throw ValidationError("compare prints table or json") }
        }

        func run() throws {
            // Bad input exits 2, apart from a regression's 1, so that CI cannot take one for the other.
            func load(_ path: String) throws -> [PointRecord] {
                do {
                    let c = try ResultsFile.readRecords(path)
                    c.warnings.forEach { FileHandle.standardError.write(Data("sandglass: warning: \($0)\n".utf8)) }
                    return c.points
                } catch let e as ResultsError { throw CommandFailure.usage(e.message) }
            }
            let report = Comparison.compare(baseline: try load(baseline), candidate: try load(candidate),
                                            failAbovePercent: failAbove, significanceLevel: significance)
            guard !report.points.isEmpty else {
                throw CommandFailure.usage("no point of \(candidate) matches a point of \(baseline) (points match by model, width, alpha, resolution, threads, add, counters, pin, isa and board)")
            }
            if format == .json {
                print(try jsonString(report))
            } else {
                var t = TextTable(headers: ["point", "baseline ms", "candidate ms", "change", "p", "verdict"], leftAligned: [0, 5])
                for r in report.points {
                    t.add([r.label + (r.board.map { " [\($0)]" } ?? ""), fixed(r.baselineMedianMs, 3), fixed(r.candidateMedianMs, 3),
                           (r.changePercent >= 0 ? "+" : "") + fixed(r.changePercent, 1) + "%", fixed(r.pValue, 4),
                           r.verdict + (r.regression ? " REGRESSION" : "")])
                }
                print(t.render())
                if !report.onlyInBaseline.isEmpty { print("only in baseline: \(report.onlyInBaseline.count) point(s)") }
                if !report.onlyInCandidate.isEmpty { print("only in candidate: \(report.onlyInCandidate.count) point(s)") }
            }
            if !report.regressions.isEmpty {
                throw CommandFailure("\(report.regressions.count) point(s) significantly slower by more than \(fixed(failAbove ?? 0, 1))%: "
                                     + report.regressions.map { "\($0.label) \(fixed($0.changePercent, 1))%" }.joined(separator: ", "))
            }
        }
    }
}
