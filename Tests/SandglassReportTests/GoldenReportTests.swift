import Foundation
import SandglassReport
import XCTest

/// The report of the frozen fixtures, compared byte for byte with the committed golden files.
/// After an intended change, regenerate them with SANDGLASS_UPDATE_GOLDEN=1 and review the diff.
final class GoldenReportTests: XCTestCase {
    /// Every table the report writes (whatever sections ReportSections lists), the README, one
    /// per-layer breakdown and one plot.
    static func files(of report: GeneratedReport) -> [String] {
        ["README.md"] + ReportSections.ownedFiles.filter { report.files[$0] != nil }
            + ["layers/mobilenext-1.0-a1_6-224px-1t-separate.md", LatencyVersusAlphaPlot.path]
    }

    func testReportMatchesGoldenFiles() throws {
        let report = Fixture.report(try Fixture.both())
        let update = ProcessInfo.processInfo.environment["SANDGLASS_UPDATE_GOLDEN"] == "1"
        let files = GoldenReportTests.files(of: report)
        XCTAssertTrue(files.contains("table7.md") && files.contains("table3.md") && files.contains("table6.md"), "\(files)")
        for name in files {
            let actual = try XCTUnwrap(report.files[name], name)
            let url = Fixture.golden.appendingPathComponent(name.replacingOccurrences(of: "/", with: "__"))
            if update {
                try FileManager.default.createDirectory(at: Fixture.golden, withIntermediateDirectories: true)
                try actual.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
                XCTFail("\(name) has no golden file: run with SANDGLASS_UPDATE_GOLDEN=1 and review it")
                continue
            }
            if actual != expected {
                let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
                let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
                let line = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
                XCTFail("\(name) differs from its golden file at line \(line + 1):\n  got:      \(line < a.count ? String(a[line]) : "<end>")\n  expected: \(line < e.count ? String(e[line]) : "<end>")\n(SANDGLASS_UPDATE_GOLDEN=1 regenerates after an intended change)")
            }
        }
    }
}
