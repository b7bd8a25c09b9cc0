import Foundation
import SandglassHarness
import SandglassReport
import XCTest

/// Several results files merge by parameters (and board); counters show their provenance;
/// warnings are carried over; bad input fails with a clear message.
final class MergeAndWarningsTests: XCTestCase {
    func testSeveralFilesMergeByParameters() throws {
        let c = try Fixture.both()
        // 10 + 4 points, two of them (MobileNeXt-1.0 and MobileNetV2-1.0, α = 1, fused) in both files.
        XCTAssertEqual(c.points.count, 12)
        XCTAssertEqual(c.mergeNotes.count, 2)
        let widths = try Fixture.contents(Fixture.widths).points
        let alpha = try Fixture.contents(Fixture.alpha).points
        func fusedNeXt(_ points: [PointRecord]) -> PointRecord { points.first { $0.model == "mobilenext" && $0.width == 1.0 && $0.alpha.description == "1" && $0.add.rawValue == "fused" }! }
        let row = try XCTUnwrap(Table7.build(c).sections.first?.rows.first)
        XCTAssertEqual(row.point.record.latencyMs.median, fusedNeXt(widths).latencyMs.median, "the later file's latency")
        // Its per-layer records exist only in the earlier file and are still reported.
        let report = Fixture.report(c)
        let breakdown = try XCTUnwrap(report.files["layers/mobilenext-1.0-a1-224px-1t-fused.md"])
        XCTAssertTrue(breakdown.contains("A later record of this point in `fixture-widths.jsonl`"))
        XCTAssertTrue(report.files["README.md"]!.contains("its latency comes from fixture-widths.jsonl (the later file)"))

        // The other order: the later file is fixture-alpha.
        let reversed = try ResultsCollection.load(paths: [Fixture.widths, Fixture.alpha])
        XCTAssertEqual(Table7.build(reversed).sections.first?.rows.first?.point.record.latencyMs.median, fusedNeXt(alpha).latencyMs.median)
    }

    func testBoardsAreComparedSideBySide() throws {
        func onBoard(_ board: String) throws -> ResultsContents {
            var c = try Fixture.contents(Fixture.alpha)
            c.points = c.points.map { var p = $0; p.board = board; return p }
            c.headers = c.headers.map { var h = $0; h.board = board; return h }
            c.calibrations = c.calibrations.map { var k = $0; k.board = board; return k }
            return c
        }
        var pi5 = try onBoard("pi5")
        pi5.points = pi5.points.map { var p = $0; p.latencyMs.median *= 2; return p }
        let c = Fixture.collection([("pi4.jsonl", try onBoard("pi4")), ("pi5.jsonl", pi5)])
        XCTAssertEqual(c.points.count, 20, "the same parameters on two boards are two points")
        let report = Fixture.report(c)
        let boards = MarkdownTable.all(in: try XCTUnwrap(report.files[BoardComparison.markdownPath]))[0]
        XCTAssertEqual(boards.rows.count, 10)
        XCTAssertTrue(boards.headers.contains("pi5 vs pi4 (×)"))
        XCTAssertEqual(Set(boards.column("pi5 vs pi4 (×)")!), ["2.000"])
        let table7 = try XCTUnwrap(report.files["table7.md"])
        XCTAssertTrue(table7.contains("## MobileNeXt-1.0, 224 px, 1 thread, fused adds, avx512, board pi4"))
        XCTAssertTrue(table7.contains("## MobileNeXt-1.0, 224 px, 1 thread, fused adds, avx512, board pi5"))
        XCTAssertTrue(report.files["README.md"]!.contains("on 2 boards"))
        // Each board's roofline uses its own calibration.
        XCTAssertNotNil(report.files[RooflinePlot.path("pi5-mobilenext-1.0-a1_2-224px-1t-separate")])
    }

    func testCountersKeepTheirProvenanceAndMeasuredTrafficWins() throws {
        var contents = try Fixture.contents(Fixture.alpha)
        let index = contents.points.firstIndex { $0.model == "mobilenext" && $0.alpha.description == "1/2" && $0.add.rawValue == "fused" }!
        var point = contents.points[index]
        point.counters = .perf(["memory"])
        point.perLayer?.counterBackend = "perf"
        var traffic = 0.0
        for i in point.layers!.indices {
            let bytes = Double(64 * (1000 + i))
            traffic += bytes
            point.layers![i].counters = [
                "task-clock": CounterValue(value: Double(10_000 + i), provenance: "measured"),
                "LLC-misses": CounterValue(unavailable: "no PMU in this VM (perf_event_open: ENOENT)"),
                MemoryTraffic.counterName: CounterValue(value: bytes, provenance: "scaled"),
            ]
        }
        contents.points[index] = point
        let c = Fixture.collection([("counters.jsonl", contents)])
        let report = Fixture.report(c)
        let fused = MarkdownTable.all(in: try XCTUnwrap(report.files["table7.md"]))[0]
        XCTAssertEqual(fused.column("Traffic source")?[1], "scaled")
        XCTAssertEqual(fused.column("Memory traffic (MB per inference)")?[1], String(format: "%.2f", traffic / 1e6))
        XCTAssertEqual(fused.column("Traffic source")?[0], "analytic")

        let md = try XCTUnwrap(report.files["layers/mobilenext-1.0-a1_2-224px-1t-fused-perf_memory.md"])
        let all = MarkdownTable.all(in: md)[2]
        XCTAssertTrue(all.headers.contains("task-clock (measured)"))
        XCTAssertTrue(all.headers.contains("LLC-misses (unavailable)"))
        XCTAssertEqual(all.column("Traffic source")?.first, "scaled")
        XCTAssertEqual(all.column("LLC-misses (unavailable)")?.first, "unavailable")
        XCTAssertTrue(md.contains("`LLC-misses`: unavailable in 76 of 76 layers — no PMU in this VM (perf_event_open: ENOENT)."))
        let csv = CSV.records(try XCTUnwrap(report.files["layers/mobilenext-1.0-a1_2-224px-1t-fused-perf_memory.csv"]))
        XCTAssertEqual(csv.rows.first?["counter_task_clock"], "10000")
        XCTAssertEqual(csv.rows.first?["counter_task_clock_provenance"], "measured")
        XCTAssertEqual(csv.rows.first?["counter_llc_misses"], "")
        XCTAssertEqual(csv.rows.first?["counter_llc_misses_provenance"], "unavailable")
        XCTAssertTrue(report.warnings.contains { $0.contains("counter LLC-misses unavailable: no PMU in this VM") })
        let adds = MarkdownTable.all(in: try XCTUnwrap(report.files["add-vs-mac.md"]))[0]
        XCTAssertTrue(adds.headers.contains("Measured traffic, fused (MB)"))
    }

    func testWarningsAreCarriedIntoTheREADME() throws {
        var contents = try Fixture.contents(Fixture.alpha)
        contents.ends = [EndRecord(finishedAt: "2026-01-01T00:00:00Z", completedPoints: 10, totalPoints: 12, interrupted: true, loadAverage: nil)]
        contents.points[0].warnings = ["noisy point: 95% CI of the median is ±3.2%, above the ±1.0% target (time-cap)"]
        contents.points[1].counters = .software
        let report = Fixture.report(Fixture.collection([("warned.jsonl", contents)]))
        let readme = try XCTUnwrap(report.files["README.md"])
        let label = PointSelection.label(contents.points[0])
        XCTAssertTrue(readme.contains("- \(label): noisy point: 95% CI of the median is ±3.2%"))
        XCTAssertTrue(readme.contains("warned.jsonl: the sweep was interrupted (10 of 12 points complete)"))
        XCTAssertTrue(readme.contains("CPU frequency governor unreadable"))
        XCTAssertTrue(readme.contains("counters `software` were requested but none were recorded"))
        XCTAssertTrue(readme.contains("> fixture: a noisy shared machine"))
        XCTAssertTrue(readme.contains("Sandglass commit aee6fbf0584e61da98a37f3299a1ea46447420c1"))
    }

    func testBadInputFailsWithAClearMessage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sg-report-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try ResultsCollection.load(paths: [dir.appendingPathComponent("missing.jsonl").path])) { error in
            let e = error as! ReportError
            XCTAssertTrue(e.isUsage)
            XCTAssertTrue(e.message.contains("does not exist"), e.message)
        }
        let garbage = dir.appendingPathComponent("garbage.jsonl")
        try "not json\n{\"a\": 1}\n".write(to: garbage, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsCollection.load(paths: [garbage.path])) { error in
            XCTAssertTrue((error as! ReportError).message.contains("holds no Sandglass records"), "\(error)")
        }
        // A header only: a sweep that completed no point.
        let header = try String(contentsOfFile: Fixture.alpha, encoding: .utf8).split(separator: "\n").first!
        let empty = dir.appendingPathComponent("empty.jsonl")
        try (header + "\n").write(to: empty, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsCollection.load(paths: [empty.path])) { error in
            XCTAssertTrue((error as! ReportError).message.contains("no completed points"), "\(error)")
        }
        // Writing refuses to replace files an earlier report did not write.
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try "mine".write(to: out.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let report = Fixture.report(try Fixture.both())
        XCTAssertThrowsError(try ReportGenerator.write(report, to: out.path)) { error in
            XCTAssertTrue((error as! ReportError).message.contains("not written by `sandglass report`"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8), "mine")
        // Beside other files (the results themselves), and over an earlier report, it writes.
        let fresh = dir.appendingPathComponent("fresh")
        try FileManager.default.createDirectory(at: fresh.appendingPathComponent("results"), withIntermediateDirectories: true)
        try ReportGenerator.write(report, to: fresh.path)
        try FileManager.default.createDirectory(at: fresh.appendingPathComponent("layers/stale"), withIntermediateDirectories: true)
        try ReportGenerator.write(report, to: fresh.path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh.appendingPathComponent("layers/stale").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: fresh.appendingPathComponent("results").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: fresh.appendingPathComponent("plots/latency-vs-alpha.svg").path))
    }
}
