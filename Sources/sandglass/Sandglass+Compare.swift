import ArgumentParser
import Foundation
import SandglassHarness

extension Sandglass {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two results files point by point, at the resolution unpaired runs allow; exit 1: a regression, 2: bad input.",
            discussion: """
            Two runs are not paired: the host drifts between them. A change counts only when the runs' segment medians \
            differ (Mann-Whitney U) and the change exceeds the larger of the drift inside either run, either run's A/A \
            resolution and --min-effect; otherwise it is "not distinguishable". For effects of a few percent, measure \
            paired: `sandglass ab`, or a sweep with comparison groups.

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

        @Option(help: "Significance level of the Mann-Whitney U test on the runs' segment medians.")
        var significance: Double = 0.05

        @Option(help: "Smallest change (percent) two unpaired runs can show on this kind of host.")
        var minEffect: Double = 10

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        func validate() throws {
            if let failAbove, failAbove < 0 { throw ValidationError("--fail-above must be a percentage ≥ 0") }
            guard minEffect >= 0 && minEffect.isFinite else { throw ValidationError("--min-effect must be a percentage ≥ 0") }
            guard significance > 0 && significance < 1 else { throw ValidationError("--significance must be in (0, 1)") }
            guard format != .csv else { throw ValidationError("compare prints table or json") }
        }

        func run() throws {
            // Bad input exits 2, apart from a regression's 1, so that CI cannot take one for the other.
            func load(_ path: String) throws -> ResultsContents {
                do {
                    let c = try ResultsFile.readRecords(path)
                    c.warnings.forEach { FileHandle.standardError.write(Data("sandglass: warning: \($0)\n".utf8)) }
                    return c
                } catch let e as ResultsError { throw CommandFailure.usage(e.message) }
            }
            let a = try load(baseline), b = try load(candidate)
            let report = Comparison.compare(baseline: a.points, candidate: b.points, failAbovePercent: failAbove,
                                            significanceLevel: significance, minEffectPercent: minEffect,
                                            resolutions: (a.headers.compactMap(\.resolution).last?.limitPercent,
                                                          b.headers.compactMap(\.resolution).last?.limitPercent))
            guard !report.points.isEmpty else {
                throw CommandFailure.usage("no point of \(candidate) matches a point of \(baseline) (points match by model, width, alpha, resolution, threads, add, counters, pin, isa and board)")
            }
            if format == .json {
                print(try jsonString(report))
            } else {
                var t = TextTable(headers: ["point", "baseline ms", "candidate ms", "change", "p (segments)", "verdict"], leftAligned: [0, 5])
                for r in report.points {
                    t.add([r.label + (r.board.map { " [\($0)]" } ?? ""), fixed(r.baselineMedianMs, 3), fixed(r.candidateMedianMs, 3),
                           (r.changePercent >= 0 ? "+" : "") + fixed(r.changePercent, 1) + "%",
                           r.pValue.map { "\(fixed($0, 4)) (\(r.segments))" } ?? "–",
                           r.verdict + (r.regression ? " REGRESSION" : "")])
                }
                print(t.render())
                print("unpaired runs: changes within the resolution shown are not called real; measure smaller effects paired with `sandglass ab`")
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
