import Foundation
import XCTest

/// `sandglass report` as a user meets it: a report from the frozen fixtures, and one clear line
/// with a non-zero exit code for missing files, unreadable records and no points.
final class ReportCLITests: XCTestCase {
    var dir: URL!
    let fixtures = CLI.root.appendingPathComponent("Tests/SandglassReportTests/Fixtures")

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sg-report-cli-\(getpid())-\(name.filter(\.isLetter))")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testReportFromTwoResultsFiles() throws {
        let out = dir.appendingPathComponent("report").path
        let r = try CLI.run(["report", fixtures.appendingPathComponent("fixture-alpha.jsonl").path,
                             fixtures.appendingPathComponent("fixture-widths.jsonl").path, "--out", out,
                             "--note", "shared machine"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("12 points from 2 files"), r.stdout)
        for file in ["README.md", "table7.md", "table7.csv", "table3.md", "table3.csv", "add-vs-mac.md",
                     "plots/latency-vs-alpha.svg", "plots/latency-vs-madds.svg", "plots/layer-time.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + file), file)
        }
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        XCTAssertTrue(readme.contains("> shared machine"))
        XCTAssertTrue(readme.contains("sandglass report "), "the command that regenerates it")
        // Running it again replaces the earlier report.
        XCTAssertEqual(try CLI.run(["report", fixtures.appendingPathComponent("fixture-widths.jsonl").path, "--out", out]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/table7.md"), "a stale table from the earlier report")
    }

    func testBadInputExitsNonZeroWithOneLine() throws {
        let missing = try CLI.run(["report", dir.appendingPathComponent("nope.jsonl").path, "--out", dir.path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("does not exist"), missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1)

        let noFiles = try CLI.run(["report", "--out", dir.path])
        XCTAssertEqual(noFiles.status, 2)

        let garbage = dir.appendingPathComponent("garbage.jsonl")
        try "this is not a results file\n".write(to: garbage, atomically: true, encoding: .utf8)
        let unreadable = try CLI.run(["report", garbage.path, "--out", dir.appendingPathComponent("r").path])
        XCTAssertEqual(unreadable.status, 2)
        XCTAssertTrue(unreadable.stderr.contains("holds no Sandglass records"), unreadable.stderr)

        let header = try String(contentsOf: fixtures.appendingPathComponent("fixture-widths.jsonl"), encoding: .utf8)
            .split(separator: "\n").first!
        let empty = dir.appendingPathComponent("empty.jsonl")
        try (header + "\n").write(to: empty, atomically: true, encoding: .utf8)
        let none = try CLI.run(["report", empty.path, "--out", dir.appendingPathComponent("r").path])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no completed points"), none.stderr)
    }
}
