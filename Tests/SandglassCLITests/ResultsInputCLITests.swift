import Foundation
import XCTest

/// What `report`, `export` and `compare` do with files that are not results files (empty, or
/// random bytes) and with results files that have nothing in common: one line on stderr, the
/// same refusal from every command, a non-zero exit, and nothing on stdout that looks like output.
final class ResultsInputCLITests: XCTestCase {
    var dir: URL!
    let fixtures = CLI.root.appendingPathComponent("Tests/SandglassReportTests/Fixtures")

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sg-input-cli-\(getpid())-\(name.filter(\.isLetter))")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// An empty file and 4 KiB of seeded random bytes with a few newlines and no final one.
    func badFiles() throws -> [String] {
        let empty = dir.appendingPathComponent("empty.jsonl").path
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        var state: UInt64 = 42
        var bytes = (0..<4096).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        for i in stride(from: 200, to: 4000, by: 200) { bytes[i] = UInt8(ascii: "\n") }
        bytes[bytes.count - 1] = UInt8(ascii: "x")
        let random = dir.appendingPathComponent("random.jsonl").path
        XCTAssertTrue(FileManager.default.createFile(atPath: random, contents: Data(bytes)))
        return [empty, random]
    }

    func assertOneLine(_ r: CLI.Result, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(what): \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stdout.isEmpty, "\(what) wrote to stdout: \(r.stdout)", file: file, line: line)
    }

    func testExportRefusesWhatReportRefuses() throws {
        for path in try badFiles() {
            let report = try CLI.run(["report", path, "--out", dir.appendingPathComponent("report").path])
            let export = try CLI.run(["export", path, "--csv", "-"])
            XCTAssertEqual(report.status, 2, report.stderr)
            XCTAssertEqual(export.status, report.status, export.stderr)
            XCTAssertEqual(export.stderr, report.stderr)
            XCTAssertTrue(export.stderr.contains("\(path) is not a Sandglass results file"), export.stderr)
            assertOneLine(export, "export \(path)")
            assertOneLine(report, "report \(path)")
        }
    }

    /// Random bytes are not "a record torn by an interrupted write"; a results file whose last
    /// record really was torn still is, and still makes a report.
    func testTornRecordIsOnlyClaimedAfterRealRecords() throws {
        let random = try badFiles()[1]
        let r = try CLI.run(["report", random, "--out", dir.appendingPathComponent("r").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertFalse(r.stderr.contains("interrupted write"), r.stderr)
        XCTAssertTrue(r.stderr.contains("not a Sandglass results file"), r.stderr)

        var text = try String(contentsOf: fixtures.appendingPathComponent("fixture-widths.jsonl"), encoding: .utf8)
        text += #"{"type":"point","schemaVersion":1,"id":"mobilenext width=0.35 alp"#
        let torn = dir.appendingPathComponent("torn.jsonl")
        try text.write(to: torn, atomically: true, encoding: .utf8)
        let ok = try CLI.run(["report", torn.path, "--out", dir.appendingPathComponent("t").path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stderr.contains("a record torn by an interrupted write"), ok.stderr)
    }

    /// Bad input is exit code 2 (a regression is 1), with no table; the help says so.
    func testCompareBadInputExitsTwoWithoutATable() throws {
        let good = fixtures.appendingPathComponent("fixture-alpha.jsonl").path
        // The widths fixture without its width-1.0 points: nothing in common with the alpha one.
        let lines = try String(contentsOf: fixtures.appendingPathComponent("fixture-widths.jsonl"), encoding: .utf8)
            .split(separator: "\n").filter { line in
                let record = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                return !(record?["type"] as? String == "point" && record?["width"] as? Double == 1.0)
            }
        let other = dir.appendingPathComponent("other.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: other, atomically: true, encoding: .utf8)

        let bad = try badFiles()
        let cases: [(String, String, String)] = [(bad[0], good, "not a Sandglass results file"),
                                                 (good, bad[1], "not a Sandglass results file"),
                                                 (good, other.path, "matches a point")]
        for (baseline, candidate, phrase) in cases {
            for format in ["table", "json"] {
                let r = try CLI.run(["compare", baseline, candidate, "--format", format])
                XCTAssertEqual(r.status, 2, "\(baseline) \(candidate): \(r.stderr)")
                XCTAssertTrue(r.stderr.contains(phrase), r.stderr)
                assertOneLine(r, "compare \(baseline) \(candidate) --format \(format)")
            }
        }
        let help = try CLI.run(["compare", "--help"])
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(words.contains("2 for bad input"), help.stdout)
    }
}
