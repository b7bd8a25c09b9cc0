import Foundation
import SandglassHarness
import SandglassReport
import XCTest

/// Table 7, Table 3 and adds-versus-MAC from the frozen fixtures: rows, units in the column
/// headers, rounding, the paper's reference columns, and CSV that carries the same numbers.
final class TableTests: XCTestCase {
    func testTable7RowsUnitsAndRounding() throws {
        let report = Fixture.report(try Fixture.both())
        let md = try XCTUnwrap(report.files["table7.md"])
        let tables = MarkdownTable.all(in: md)
        XCTAssertEqual(tables.count, 2, "one section for fused and one for separate adds")
        let fused = tables[0]
        XCTAssertEqual(fused.headers, [
            "No.", "Model", "Tensor multiplier α", "Params (M)", "MAdds (M)", "Shortcut adds (per inference)",
            "Latency median (ms)", "95% CI of median (ms)", "p90 (ms)", "Samples", "Latency vs α = 1 (×)",
            "Paired vs α = 1 (×) [95% CI]", "Pairs", "Pairing", "Memory traffic (MB per inference)", "Traffic source", "Paper: Pixel 4 XL latency (ms)",
            "Paper: latency vs α = 1 (×)",
        ])
        XCTAssertEqual(fused.column("Tensor multiplier α"), ["1", "1/2", "1/3", "1/6"])
        XCTAssertEqual(fused.column("No."), ["1", "2", "3", "4"])
        XCTAssertEqual(tables[1].column("No."), ["5", "6", "7", "8"])
        // Exact counts of the official MobileNeXt-1.0, rounded as the headers say.
        XCTAssertEqual(fused.column("MAdds (M)"), Array(repeating: "311.34", count: 4))
        XCTAssertEqual(fused.column("Params (M)"), Array(repeating: "3.54", count: 4))
        XCTAssertEqual(fused.column("Shortcut adds (per inference)"), ["818496", "409248", "272832", "136416"])
        XCTAssertEqual(fused.column("Paper: Pixel 4 XL latency (ms)"), ["211", "196", "195", "188"])
        XCTAssertEqual(fused.column("Paper: latency vs α = 1 (×)"), ["1.000", "0.929", "0.924", "0.891"])
        XCTAssertEqual(fused.column("Latency vs α = 1 (×)")?.first, "1.000")
        XCTAssertEqual(fused.column("Traffic source"), Array(repeating: "analytic", count: 4))
        for cell in fused.column("Latency median (ms)")! + fused.column("p90 (ms)")! {
            XCTAssertTrue(cell.range(of: #"^\d+\.\d{3}$"#, options: .regularExpression) != nil, "ms with 3 decimals: \(cell)")
        }
        for cell in fused.column("95% CI of median (ms)")! {
            XCTAssertTrue(cell.range(of: #"^\[\d+\.\d{3}, \d+\.\d{3}\]$"#, options: .regularExpression) != nil, cell)
        }

        // The numbers are the records' numbers, rounded: the separate-adds section comes from
        // fixture-alpha only; α = 1/2's median and its ratio to α = 1.
        let alpha = try Fixture.contents(Fixture.alpha).points
        func point(_ a: String, _ add: String) -> PointRecord { alpha.first { $0.model == "mobilenext" && $0.alpha.description == a && $0.add.rawValue == add }! }
        let separate = tables[1]
        XCTAssertEqual(separate.column("Latency median (ms)")?[1], String(format: "%.3f", point("1/2", "separate").latencyMs.median))
        XCTAssertEqual(separate.column("Latency vs α = 1 (×)")?[1],
                       String(format: "%.3f", point("1/2", "separate").latencyMs.median / point("1", "separate").latencyMs.median))
        XCTAssertEqual(separate.column("Memory traffic (MB per inference)")?[0],
                       String(format: "%.2f", Double(point("1", "separate").totals.bytesRead + point("1", "separate").totals.bytesWritten) / 1e6))
        XCTAssertTrue(md.contains("the paper: 211 → 188 ms (-10.9%)"))
    }

    /// Markdown title → CSV name for every column both renderings of Table 7 have.
    static let table7Columns = [
        "No.": "no", "Model": "model", "Tensor multiplier α": "alpha", "Params (M)": "params_m", "MAdds (M)": "madds_m",
        "Shortcut adds (per inference)": "shortcut_adds", "Latency median (ms)": "latency_median_ms",
        "p90 (ms)": "latency_p90_ms", "Samples": "samples", "Latency vs α = 1 (×)": "latency_relative_to_alpha_1",
        "Memory traffic (MB per inference)": "memory_traffic_mb", "Traffic source": "memory_traffic_source",
        "Paper: Pixel 4 XL latency (ms)": "paper_pixel4xl_latency_ms",
        "Paper: latency vs α = 1 (×)": "paper_latency_relative_to_alpha_1",
    ]

    /// Two points whose rounds drift together (the host alternates fast and slow), with their
    /// samples spread unevenly over the rounds (as a CI target stops rounds early): the pooled
    /// medians say α = 1/6 is slower, every round says it is 3% faster; pairing by round says so.
    func testPairedRoundsCancelDriftThatPooledSamplesMislead() throws {
        var contents = try Fixture.contents(Fixture.alpha)
        let reference = try XCTUnwrap(contents.points.first { $0.model == "mobilenext" && $0.alpha.description == "1" && $0.add.rawValue == "fused" })
        let smaller = try XCTUnwrap(contents.points.first { $0.model == "mobilenext" && $0.alpha.description == "1/6" && $0.add.rawValue == "fused" })
        let separate = try XCTUnwrap(contents.points.first { $0.model == "mobilenext" && $0.alpha.description == "1" && $0.add.rawValue == "separate" })
        let decoder = JSONDecoder()
        var pooled: [String: [Double]] = [:]
        for round in 0..<6 {
            let level = round % 2 == 0 ? 3.0 : 3.6
            for (point, factor) in [(reference, 1.0), (smaller, 0.97), (separate, 1.02)] {
                // The reference gathered most samples in fast rounds, the other in slow ones.
                let count = (round % 2 == 0) == (factor == 1) ? 20 : 3
                let samples = (0..<count).map { level * factor * (1 + 0.002 * Double($0 % 3)) }
                pooled[point.id, default: []] += samples
                let json = #"{"type":"block","schemaVersion":1,"id":"\#(point.id)","round":\#(round),"samplesMs":\#(samples),"warmupMs":[],"durationSeconds":0.1}"#
                contents.blocks.append(try decoder.decode(BlockRecord.self, from: Data(json.utf8)))
            }
        }
        contents.points = contents.points.map { p in
            var q = p
            if let samples = pooled[p.id] { q.latencyMs = LatencyStatistics(samples: samples) }
            return q
        }
        let collection = Fixture.collection([("drift.jsonl", contents)])
        let adds = AddVersusMAC.build(collection)
        let entry = try XCTUnwrap(adds.entries.first { $0.model == "mobilenext" && $0.alpha.description == "1" && $0.setting.threads == 1 })
        XCTAssertEqual(try XCTUnwrap(entry.paired, "separate against fused, same rounds").median, 1.02, accuracy: 1e-9)
        let t7 = Table7.build(collection)
        let section = try XCTUnwrap(t7.sections.first { $0.setting.add == "fused" })
        let row = try XCTUnwrap(section.rows.first { $0.point.record.alpha.description == "1/6" })
        XCTAssertGreaterThan(try XCTUnwrap(row.relative), 1.1, "pooled medians mislead under uneven drift")
        let paired = try XCTUnwrap(row.paired, "blocks in six rounds pair")
        XCTAssertEqual(paired.rounds, 6)
        XCTAssertEqual(paired.median, 0.97, accuracy: 1e-9)
        XCTAssertTrue(paired.isChange, "every round is 3% faster")
        XCTAssertEqual(section.reference?.paired?.median, 1)
        XCTAssertNil(section.rows.first { $0.point.record.alpha.description == "1/2" }?.paired, "no block records, no pairing")
        XCTAssertTrue(t7.markdown.contains("paired over 6 rounds: -3.0%"), t7.markdown)
        XCTAssertEqual(paired.method, .rounds)
    }

    /// Points measured in one comparison group: the candidate's own paired record decides its
    /// row, any other two members pair through their cycle-aligned samples, and an effect below
    /// the A/A resolution in the header is not called a change.
    func testInterleavedGroupsPairAnyTwoMembersAndRespectTheResolution() throws {
        var contents = try Fixture.contents(Fixture.alpha)
        func index(_ alpha: String, _ add: String) throws -> Int {
            try XCTUnwrap(contents.points.firstIndex { $0.model == "mobilenext" && $0.alpha.description == alpha && $0.add.rawValue == add && $0.threads == 1 })
        }
        let fused1 = try index("1", "fused"), fused6 = try index("1/6", "fused"), separate1 = try index("1", "separate")
        // A host that drifts by ±20% from cycle to cycle; within each cycle α = 1/6 is 3% faster
        // and separate adds 1% slower than fused.
        let drift: [Double] = (0..<400).map { (i: Int) -> Double in
            let wave: Double = sin(Double(i) / 7)
            return 3.0 * (1 + 0.2 * wave)
        }
        let group = "2026-12-01T00:00:00Z #1: test"
        for (i, factor) in [(fused1, 1.0), (fused6, 0.97), (separate1, 1.01)] {
            contents.points[i].samplesMs = drift.map { $0 * factor }
            contents.points[i].latencyMs = LatencyStatistics(samples: contents.points[i].samplesMs)
            contents.points[i].group = group
            contents.points[i].interleave = "inference"
        }
        let ownPairs = PairedComparison(baseline: contents.points[fused1].samplesMs, candidate: contents.points[fused6].samplesMs)
        contents.points[fused6].paired = PairedRecord(baseline: contents.points[fused1].id, pairs: ownPairs.pairs, ratio: ownPairs.ratio,
                                                      differenceMs: ownPairs.differenceMs, lag1Autocorrelation: nil, verdict: "faster")
        var collection = Fixture.collection([("groups.jsonl", contents)])
        let row = try XCTUnwrap(Table7.build(collection).sections.first { $0.setting.add == "fused" && $0.setting.threads == 1 }?
            .rows.first { $0.point.record.alpha.description == "1/6" })
        let paired = try XCTUnwrap(row.paired)
        XCTAssertEqual(paired.method, .interleaved)
        XCTAssertEqual(paired.pairs, 400)
        XCTAssertEqual(paired.median, 0.97, accuracy: 1e-9)
        XCTAssertTrue(paired.isChange)
        // Separate against fused at α = 1: no paired record between them, the aligned samples pair.
        let entry = try XCTUnwrap(AddVersusMAC.build(collection).entries.first { $0.model == "mobilenext" && $0.alpha.description == "1" && $0.setting.threads == 1 })
        let adds = try XCTUnwrap(entry.paired)
        XCTAssertEqual(adds.method, .interleaved)
        XCTAssertEqual(adds.median, 1.01, accuracy: 1e-9)
        // A resolution of ±1.5% recorded in the header: the 1% is not called a change.
        XCTAssertTrue(adds.isChange)
        let header = try JSONEncoder().encode(PairedResolution(PairedComparison(baseline: drift, candidate: drift.enumerated().map { $0.element * ($0.offset % 2 == 0 ? 1.015 : 0.985) })))
        contents.headers[0].resolution = try JSONDecoder().decode(PairedResolution.self, from: header)
        collection = Fixture.collection([("groups.jsonl", contents)])
        let coarse = try XCTUnwrap(AddVersusMAC.build(collection).entries.first { $0.model == "mobilenext" && $0.alpha.description == "1" && $0.setting.threads == 1 }?.paired)
        XCTAssertGreaterThan(try XCTUnwrap(coarse.resolutionLimitPercent), 1.0)
        XCTAssertFalse(coarse.isChange)
    }

    func testCSVParsesAndCarriesTheMarkdownNumbers() throws {
        let report = Fixture.report(try Fixture.both())
        for (name, mapping) in [("table7", TableTests.table7Columns),
                                ("table3", ["No.": "no", "Model": "model", "Width multiplier": "width", "Params (M)": "params_m",
                                            "MAdds (M)": "madds_m", "Latency median (ms)": "latency_median_ms",
                                            "MobileNeXt speed vs MobileNetV2 at equal width (×)": "mobilenext_speed_vs_mobilenetv2",
                                            "Paper: params (M)": "paper_params_m", "Paper: MAdds (M)": "paper_madds_m"])] {
            let csv = CSV.records(try XCTUnwrap(report.files["\(name).csv"]))
            let md = MarkdownTable.all(in: try XCTUnwrap(report.files["\(name).md"]))
            let mdRows = md.flatMap { t in t.rows.map { Dictionary(uniqueKeysWithValues: zip(t.headers, $0)) } }
            XCTAssertEqual(csv.rows.count, mdRows.count, name)
            XCTAssertTrue(csv.header.allSatisfy { $0.range(of: #"^[a-z0-9_]+$"#, options: .regularExpression) != nil }, "\(csv.header)")
            for (c, m) in zip(csv.rows, mdRows) {
                for (title, column) in mapping {
                    let mdCell = try XCTUnwrap(m[title], "\(name): Markdown column \(title)")
                    let csvCell = try XCTUnwrap(c[column], "\(name): CSV column \(column)")
                    XCTAssertEqual(csvCell, mdCell == "—" ? "" : mdCell, "\(name) \(title)")
                }
                // The CI: "[low, high]" in Markdown, two numeric columns in CSV.
                let ci = try XCTUnwrap(m["95% CI of median (ms)"])
                XCTAssertEqual(ci, "[\(c["latency_ci_low_ms"]!), \(c["latency_ci_high_ms"]!)]")
                XCTAssertNotNil(Double(c["latency_median_ms"]!))
            }
        }
    }

    func testTable3PairsArchitecturesAtEqualWidth() throws {
        let report = Fixture.report(try Fixture.both())
        let tables = MarkdownTable.all(in: try XCTUnwrap(report.files["table3.md"]))
        let fused = tables[0]
        XCTAssertEqual(fused.column("Model"), ["MobileNetV2", "MobileNetV2", "MobileNeXt", "MobileNeXt"])
        XCTAssertEqual(fused.column("Width multiplier"), ["1.0", "0.5", "1.0", "0.5"])
        XCTAssertEqual(fused.column("Paper: MAdds (M)"), ["300", "97", "300", "110"])
        XCTAssertEqual(fused.column("MAdds (M)"), ["300.77", "97.13", "311.34", "103.26"])
        let widths = try Fixture.contents(Fixture.widths).points
        func median(_ model: String, _ width: Double) -> Double { widths.first { $0.model == model && $0.width == width }!.latencyMs.median }
        let speed = try XCTUnwrap(fused.column("MobileNeXt speed vs MobileNetV2 at equal width (×)"))
        XCTAssertEqual(speed[0], "—")
        XCTAssertEqual(speed[2], String(format: "%.3f", median("mobilenetv2", 1.0) / median("mobilenext", 1.0)))
        XCTAssertEqual(speed[3], String(format: "%.3f", median("mobilenetv2", 0.5) / median("mobilenext", 0.5)))
    }

    func testAddsVersusMACCountsAndTimesTheShortcuts() throws {
        let report = Fixture.report(try Fixture.both())
        let md = try XCTUnwrap(report.files["add-vs-mac.md"])
        let tables = MarkdownTable.all(in: md)
        let work = tables[0]
        XCTAssertEqual(work.column("Model"), ["MobileNeXt-1.0", "MobileNeXt-1.0", "MobileNeXt-1.0", "MobileNeXt-1.0", "MobileNetV2-1.0"])
        XCTAssertEqual(work.column("Element-wise adds (per inference)"), ["818496", "409248", "272832", "136416", "216384"])
        XCTAssertEqual(work.column("Shortcut blocks"), ["12", "12", "12", "12", "10"])
        // Identity read: 4 bytes per add; a separate add step moves 3 × that (branch, identity, sum).
        XCTAssertEqual(work.column("Identity tensor read (KB)")?[0], "3274.0")
        XCTAssertEqual(work.column("Separate add steps move (KB)")?[0], "9822.0")
        // Fusing saves the branch read and the sum's write: 8 bytes per add.
        XCTAssertEqual(work.column("MAC saved by fusing (MB)"), ["6.55", "3.27", "2.18", "1.09", "1.73"])

        let alpha = try Fixture.contents(Fixture.alpha).points
        let separate = alpha.first { $0.model == "mobilenext" && $0.alpha.description == "1" && $0.add.rawValue == "separate" }!
        let addMs = separate.layers!.filter { $0.op == "add" }.reduce(0) { $0 + $1.timeMs }
        XCTAssertEqual(tables[1].column("Separate add steps (ms)")?[0], String(format: "%.3f", addMs))
        // Per block: 12 shortcut blocks and the whole network.
        let blocks = tables[2]
        XCTAssertEqual(blocks.rows.count, 13)
        XCTAssertEqual(blocks.column("Block")?.first, "s3.b1")
        XCTAssertEqual(blocks.column("Block")?.last, "whole network")
        XCTAssertEqual(blocks.column("Identity fits in")?.first, "L2 (1 MiB)", "602 KB of identity at s3.b1 exceeds the 48 KiB L1")
        let csv = CSV.records(try XCTUnwrap(report.files["add-vs-mac-blocks.csv"]))
        XCTAssertEqual(csv.rows.filter { $0["block"] == "whole network" }.count, 5)
    }

    func testLayerBreakdownSharesSumToAHundredAndTopLayersAreSorted() throws {
        let report = Fixture.report(try Fixture.both())
        let md = try XCTUnwrap(report.files["layers/mobilenext-1.0-a1_6-224px-1t-separate.md"])
        let tables = MarkdownTable.all(in: md)
        let top = tables[0], ops = tables[1], all = tables[2]
        XCTAssertEqual(top.rows.count, 10)
        let times = top.column("Time (ms)")!.compactMap(Double.init)
        XCTAssertEqual(times, times.sorted(by: >))
        XCTAssertEqual(all.rows.count, 88, "MobileNeXt with separate adds runs 88 steps")
        let share = all.column("Share (%)")!.compactMap(Double.init).reduce(0, +)
        XCTAssertEqual(share, 100, accuracy: 0.1 * Double(all.rows.count) / 2)
        XCTAssertTrue(ops.column("Op")!.contains("add"))
        XCTAssertTrue(md.contains("No counters were requested"))
        let csv = CSV.records(try XCTUnwrap(report.files["layers/mobilenext-1.0-a1_6-224px-1t-separate.csv"]))
        XCTAssertEqual(csv.rows.count, 88)
        XCTAssertEqual(csv.rows.map { $0["time_ms"]! }, all.column("Time (ms)")!)
    }

    /// A point that ran depth-first chains gets a column with its chains' traffic layer by layer;
    /// one that did not keeps the table as it was.
    func testChainsShowTheirTrafficLayerByLayer() throws {
        var contents = try Fixture.contents(Fixture.alpha)
        let index = try XCTUnwrap(contents.points.firstIndex { !($0.layers ?? []).isEmpty })
        let plain = Fixture.report(Fixture.collection([("plain.jsonl", contents)]))
        var layers = try XCTUnwrap(contents.points[index].layers)
        layers[0].unfusedBytes = 3 * (layers[0].bytesRead + layers[0].bytesWritten)
        contents.points = [contents.points[index]]
        contents.points[0].layers = layers
        let report = Fixture.report(Fixture.collection([("chains.jsonl", contents)]))
        let slug = try XCTUnwrap(report.files.keys.first { $0.hasPrefix("layers/") && $0.hasSuffix(".md") })
        let all = MarkdownTable.all(in: try XCTUnwrap(report.files[slug]))[2]
        let column = try XCTUnwrap(all.column("Layer by layer (KB)"))
        let analytic = try XCTUnwrap(all.column("Analytic bytes (KB)"))
        XCTAssertEqual(Double(column[0]) ?? 0, 3 * (Double(analytic[0]) ?? 0), accuracy: 1)
        XCTAssertNil(Double(column[1]), "a step outside any chain has no layer-by-layer figure")
        XCTAssertFalse(plain.files.filter { $0.key.hasPrefix("layers/") }.values.contains { $0.contains("Layer by layer (KB)") })
    }

    func testTablesAreSkippedWithANoteWhenTheirPointsAreAbsent() throws {
        // Only MobileNeXt across α: Table 3 needs MobileNetV2 beside it.
        var contents = try Fixture.contents(Fixture.alpha)
        contents.points = contents.points.filter { $0.model == "mobilenext" && $0.add.rawValue == "fused" }
        contents.points = contents.points.map { var p = $0; p.layers = nil; p.perLayer = nil; return p }
        let report = Fixture.report(Fixture.collection([("only-alpha.jsonl", contents)]))
        XCTAssertNotNil(report.files["table7.md"])
        XCTAssertNil(report.files["table3.md"])
        XCTAssertNil(report.files["table3.csv"])
        XCTAssertNil(report.files[LatencyVersusMAddsPlot.path])
        XCTAssertNil(report.files["add-vs-mac.md"])
        XCTAssertNil(report.files[LayerTimeStackedBarsPlot.path])
        let readme = try XCTUnwrap(report.files["README.md"])
        XCTAssertTrue(readme.contains("Skipped: Table 3 and the latency-versus-MAdds plot: no setting has both MobileNeXt"), readme)
        XCTAssertTrue(readme.contains("Skipped: Adds versus memory access cost"))
        XCTAssertFalse(readme.contains("(table3.md)"), "no link to a table that was not written")
    }
}

/// Table 6: MobileNeXt-1.0 is the baseline row of every setting; without it nothing is drawn
/// and the reason names the preset that measures it.
final class Table6Tests: XCTestCase {
    func testMobileNeXtIsTheBaselineAndOthersAreRelativeToIt() throws {
        let t = Table6.build(try Fixture.both())
        XCTAssertNil(t.skippedReason)
        for s in t.sections {
            XCTAssertEqual(s.rows.first?.point.record.model, "mobilenext")
            XCTAssertNil(s.rows.first?.pooledRatio)
            for r in s.rows.dropFirst() {
                XCTAssertEqual(r.point.record.width, 1.0)
                let expected = r.point.record.latencyMs.median / s.rows[0].point.record.latencyMs.median
                XCTAssertEqual(try XCTUnwrap(r.pooledRatio), expected, accuracy: 1e-12)
            }
        }
    }

    func testWithoutMobileNeXtTheTableIsSkippedWithTheReason() throws {
        var contents = try Fixture.contents(Fixture.widths)
        contents.points = contents.points.filter { $0.model == "mobilenetv2" }
        let report = Fixture.report(Fixture.collection([("v2-only.jsonl", contents)]))
        XCTAssertNil(report.files["table6.md"])
        XCTAssertTrue(report.skipped.contains { $0.hasPrefix("Table 6: no setting has MobileNeXt-1.0") && $0.contains("--preset table6") },
                      "\(report.skipped)")
    }
}

/// How reports name models: built-in ones by architecture and width, imported ones by file name.
final class ModelNameFormatTests: XCTestCase {
    func testImportedModelsAreNamedByTheirFile() {
        XCTAssertEqual(ReportFormat.model("mobilenext-se", width: 1.0), "MobileNeXt+SE-1.0")
        XCTAssertEqual(ReportFormat.model("onnx:/tmp/models/efficientnet_b0.onnx", width: 1.0), "efficientnet_b0 (ONNX)")
        XCTAssertEqual(ReportFormat.onnxStem("onnx:mine.onnx"), "mine")
        XCTAssertNil(ReportFormat.onnxStem("mobilenext"))
        XCTAssertEqual(ReportFormat.architecture("onnx:"), "onnx:", "an empty path stays as written")
    }
}

/// Table 4: int8 beside fp32 per model, int8's paired ratio to the same model's fp32 when both
/// were alternated in one group, the paper's accuracies on the right rows, and int8 points kept
/// out of the fp32 tables' sections.
final class Table4Tests: XCTestCase {
    func testInt8RowsPairWithTheirModelsFloatRows() throws {
        var contents = try Fixture.contents(Fixture.widths)
        let floats = contents.points.indices.filter {
            contents.points[$0].width == 1.0 && contents.points[$0].add == .fused && contents.points[$0].threads == 1
        }
        XCTAssertEqual(Set(floats.map { contents.points[$0].model }), ["mobilenext", "mobilenetv2"])
        // No int8 point: no table, and no word about it.
        let floatOnly = Fixture.collection([("f32.jsonl", contents)])
        XCTAssertFalse(Table4.build(floatOnly).hasInt8Points)
        let plain = Fixture.report(floatOnly)
        XCTAssertNil(plain.files["table4.md"])
        XCTAssertFalse(plain.skipped.contains { $0.hasPrefix("Table 4") }, "\(plain.skipped)")
        let drift = (0..<200).map { 3.0 + 0.5 * sin(Double($0) / 9) }
        for (n, i) in floats.enumerated() {
            var int8 = contents.points[i]
            let factor = n == 0 ? 0.6 : 0.7
            let group = "2026-12-03T00:00:00Z #\(n): dtype"
            contents.points[i].samplesMs = drift
            contents.points[i].latencyMs = LatencyStatistics(samples: drift)
            contents.points[i].group = group
            contents.points[i].interleave = "inference"
            int8.dtype = .int8
            int8.id += " dtype=int8"
            int8.samplesMs = drift.map { $0 * factor }
            int8.latencyMs = LatencyStatistics(samples: int8.samplesMs)
            int8.group = group
            int8.interleave = "inference"
            contents.points.append(int8)
        }
        let collection = Fixture.collection([("int8.jsonl", contents)])
        let table = Table4.build(collection)
        let section = try XCTUnwrap(table.sections.first { $0.setting.add == "fused" && $0.setting.threads == 1 })
        XCTAssertEqual(section.rows.count, 4)
        for row in section.rows {
            let r = row.point.record
            XCTAssertEqual(row.paperTop1, PaperReference.table4Top1[r.model]?[r.dtype ?? .f32])
            if r.dtype == .int8 {
                let paired = try XCTUnwrap(row.paired, r.model)
                XCTAssertEqual(paired.method, .interleaved)
                XCTAssertEqual(paired.median, r.model == contents.points[floats[0]].model ? 0.6 : 0.7, accuracy: 1e-9)
            } else {
                XCTAssertNil(row.paired)
            }
        }
        XCTAssertTrue(table.markdown.contains("INT8/INT8") && table.markdown.contains("68.62"))
        XCTAssertNotNil(Fixture.report(collection).files["table4.md"])
        // Table 6 and Table 3 keep int8 in sections of their own.
        XCTAssertTrue(Table6.build(collection).sections.contains { $0.setting.dtype == .int8 })
        XCTAssertTrue(Table6.build(collection).sections.allSatisfy { s in s.rows.allSatisfy { ($0.point.record.dtype ?? .f32) == s.setting.dtype } })
    }
}
