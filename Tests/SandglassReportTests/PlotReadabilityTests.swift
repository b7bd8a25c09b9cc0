import Foundation
import SandglassHarness
import SandglassReport
import XCTest

/// The rules that make a plot readable: op types in distinct colours from a declared
/// colour-blind-safe palette, with a legend; every roofline ceiling with its own dash pattern
/// and a label; a latency-versus-MAdds plot only where there is a trend across widths (else the
/// reason, in the plot and the README); and no two text labels overlapping, nor leaving the
/// canvas, by an estimate of each text's box (characters × 0.6 × font size) made here from the
/// SVG's own attributes.
final class PlotReadabilityTests: XCTestCase {
    // MARK: colours

    /// CIELAB (D65) of an sRGB colour "#RRGGBB".
    static func lab(_ hex: String) -> (Double, Double, Double) {
        let v = Int(hex.dropFirst(), radix: 16)!
        func linear(_ c: Int) -> Double {
            let x = Double(c) / 255
            return x > 0.04045 ? pow((x + 0.055) / 1.055, 2.4) : x / 12.92
        }
        let r = linear((v >> 16) & 255), g = linear((v >> 8) & 255), b = linear(v & 255)
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
        func f(_ t: Double) -> Double { t > 0.008856 ? pow(t, 1.0 / 3) : 7.787 * t + 16.0 / 116 }
        return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }

    /// CIE76 colour difference: about 2 is just noticeable; the palettes' closest pairs are above 20.
    static func deltaE(_ a: String, _ b: String) -> Double {
        let (p, q) = (lab(a), lab(b))
        let d0 = p.0 - q.0, d1 = p.1 - q.1, d2 = p.2 - q.2
        return (d0 * d0 + d1 * d1 + d2 * d2).squareRoot()
    }

    func testDeclaredPalettesAreDistinct() {
        for palette in [PlotPalette.tolMuted + [PlotPalette.other], PlotPalette.okabeIto] {
            XCTAssertEqual(Set(palette).count, palette.count)
            for (i, a) in palette.enumerated() {
                for b in palette[(i + 1)...] {
                    XCTAssertGreaterThan(Self.deltaE(a, b), 20, "\(a) and \(b) are too alike")
                }
            }
        }
        XCTAssertEqual(OpColors.palette, PlotPalette.tolMuted)
        XCTAssertFalse(PlotPalette.tolMuted.contains(PlotPalette.other))
        XCTAssertTrue(PlotPalette.colors.allSatisfy(PlotPalette.okabeIto.contains), "series colours are Okabe–Ito's")
    }

    func testEveryOpTypeHasItsOwnPaletteColourAndALegendEntry() throws {
        let c = try Fixture.both()
        let colors = OpColors(c)
        XCTAssertEqual(colors.ops, ["add", "conv1x1", "conv1x1+add", "conv3x3s2", "dwconv3x3s1", "dwconv3x3s1+add", "dwconv3x3s2", "fc", "gavgpool"],
                       "including the ops of superseded measurements that breakdowns draw")
        let assigned = colors.ops.map(colors.color)
        XCTAssertEqual(Set(assigned).count, colors.ops.count, "one colour per op type")
        XCTAssertTrue(assigned.allSatisfy(OpColors.palette.contains), "\(assigned)")

        // The stacked bars use exactly those colours, and the legend names every op type.
        let report = Fixture.report(c)
        let (svg, _, _) = SVGInspector.inspect(try XCTUnwrap(report.files[LayerTimeStackedBarsPlot.path]))
        let barFills = Set(svg.rects.filter { $0.groups.contains("bar") }.map(\.fill))
        let breakdownOps = Set(LayerBreakdown.build(c).entries.flatMap { $0.point.record.layers?.map(\.op) ?? [] })
        XCTAssertEqual(barFills, Set(breakdownOps.map(colors.color)))
        let legendTexts = svg.textItems.filter { $0.groups.contains("legend") }.map(\.text)
        for op in breakdownOps { XCTAssertTrue(legendTexts.contains(op), op) }
        let legendFills = svg.rects.filter { $0.groups.contains("legend") }.map(\.fill)
        XCTAssertEqual(legendFills, colors.ops.map(colors.color), "a box per op type, in the palette's order")
    }

    func testOpTypesBeyondThePaletteShareOneNamedOtherColour() {
        var time: [String: Double] = [:]
        for i in 0..<12 { time["op\(String(format: "%02d", i))"] = Double(i) }
        let colors = OpColors(time: time)
        XCTAssertEqual(colors.colored.count, OpColors.palette.count - 1)
        XCTAssertEqual(colors.other, ["op00", "op01", "op02", "op03"], "the four taking the least time")
        let own = colors.colored.map(colors.color)
        XCTAssertEqual(Set(own).count, own.count)
        XCTAssertTrue(own.allSatisfy(OpColors.palette.contains))
        XCTAssertEqual(colors.color("op00"), PlotPalette.other)
        let legend = colors.legend()
        XCTAssertEqual(legend.count, OpColors.palette.count)
        XCTAssertEqual(legend.last?.label, "other: op00, op01, op02, op03")
        XCTAssertEqual(Set(legend.map(\.color)).count, legend.count, "no two legend entries in one colour")
    }

    // MARK: roofline ceilings

    /// Checks every ceiling of a roofline: its own dash pattern (the peak solid), its name drawn
    /// on the plot, and a legend line with the same pattern.
    /// Where labels cannot all fit (`allDrawn` false), each left out must be listed in a footnote.
    func checkCeilings(_ text: String, bandwidths: [BandwidthMeasurement], peak: Bool, allDrawn: Bool = true,
                       file: StaticString = #filePath, line: UInt = #line) {
        let (svg, ok, _) = SVGInspector.inspect(text)
        XCTAssertTrue(ok, file: file, line: line)
        let names = RooflinePlot.ceilingNames(bandwidths)
        XCTAssertEqual(Set(names).count, names.count, "distinct names", file: file, line: line)
        XCTAssertEqual(svg.ceilings, (peak ? ["peak"] : []) + names, file: file, line: line)
        XCTAssertEqual(TextExtent.problems(svg), [], file: file, line: line)
        let footnotes = svg.textItems.filter { $0.groups.contains("footnotes") }.map(\.text).joined(separator: " ")
        let legend = svg.textItems.filter { $0.groups.contains("legend") }.map(\.text).joined(separator: " ")
        var dashes: [String?] = []
        for name in svg.ceilings {
            let lines = svg.lines.filter { $0.ceiling == name }
            XCTAssertEqual(lines.count, 1, name, file: file, line: line)
            dashes.append(lines.first?.dash)
            let labels = svg.textItems.filter { $0.ceiling == name }.map(\.text)
            if name == "peak" {
                XCTAssertNil(lines.first?.dash, "the compute ceiling is solid", file: file, line: line)
                XCTAssertTrue(labels.contains { $0.hasPrefix("peak ") && $0.hasSuffix(" GFLOP/s (measured)") }, file: file, line: line)
            } else {
                XCTAssertNotNil(lines.first?.dash, name, file: file, line: line)
                if allDrawn || !labels.isEmpty {
                    XCTAssertEqual(labels, [name], "the ceiling's name on the plot", file: file, line: line)
                } else {
                    XCTAssertTrue(footnotes.contains("lack of room") && footnotes.contains(name), "\(name) listed as left out: \(footnotes)",
                                  file: file, line: line)
                }
            }
        }
        XCTAssertEqual(Set(dashes.map { $0 ?? "solid" }).count, dashes.count, "a dash pattern per ceiling: \(dashes)", file: file, line: line)
        let legendDashes = svg.lines.filter { $0.groups.contains("legend") }.compactMap(\.dash)
        XCTAssertEqual(legendDashes, dashes.compactMap { $0 }, "the legend shows each ceiling's pattern", file: file, line: line)
        for (name, bw) in zip(names, bandwidths) {
            let entry = "\(name): \(ReportFormat.rate(bw.gbPerSecond)) GB/s (measured)"
            XCTAssertTrue(legend.contains(entry), "legend entry \(entry) in \(legend)", file: file, line: line)
        }
    }

    func testEveryRooflineCeilingHasItsOwnDashPatternAndLabel() throws {
        let c = try Fixture.both()
        let report = Fixture.report(c)
        let calibration = try XCTUnwrap(Fixture.contents(Fixture.alpha).calibrations.first)
        let rooflines = report.paths.filter { $0.hasPrefix("plots/roofline-") }
        XCTAssertEqual(rooflines.count, 10)
        for path in rooflines {
            checkCeilings(report.files[path]!, bandwidths: calibration.bandwidth.filter { $0.threads == 1 }, peak: true)
        }

        // Two ceilings of one level (two working sets) get names that tell them apart.
        var contents = try Fixture.contents(Fixture.alpha)
        var extra = try XCTUnwrap(contents.calibrations[0].bandwidth.first { $0.level == "L2" && $0.threads == 1 })
        extra.workingSetBytes = 256 << 10
        extra.gbPerSecond = 160
        contents.calibrations[0].bandwidth.append(extra)
        let twice = Fixture.report(Fixture.collection([("two-l2.jsonl", contents)]))
        let bws = contents.calibrations[0].bandwidth.filter { $0.threads == 1 }
        XCTAssertEqual(RooflinePlot.ceilingNames(bws), ["L1", "L2 512 KiB", "L3", "DRAM", "L2 256 KiB"])
        checkCeilings(twice.files[RooflinePlot.path("mobilenext-1.0-a1_2-224px-1t-separate")]!, bandwidths: bws, peak: true,
                      allDrawn: false)

        // No peak for the ISA: bandwidth ceilings only, still each with pattern and name.
        contents = try Fixture.contents(Fixture.alpha)
        contents.calibrations[0].peaks = []
        let noPeak = Fixture.report(Fixture.collection([("no-peak.jsonl", contents)]))
        checkCeilings(noPeak.files[RooflinePlot.path("mobilenext-1.0-a1_2-224px-1t-separate")]!,
                      bandwidths: contents.calibrations[0].bandwidth.filter { $0.threads == 1 }, peak: false)

        let patterns = (0..<12).map(RooflinePlot.ceilingDash)
        XCTAssertEqual(Set(patterns).count, patterns.count, "patterns stay distinct beyond the declared ones")
    }

    func testCrowdedCeilingsKeepTheirLabelsApartOrListThem() throws {
        // Four bandwidths within a few per cent of each other: their lines nearly coincide.
        var contents = try Fixture.contents(Fixture.alpha)
        let template = try XCTUnwrap(contents.calibrations[0].bandwidth.first { $0.threads == 1 })
        contents.calibrations[0].bandwidth = ["L1", "L2", "L3", "DRAM"].enumerated().map { i, level in
            var b = template
            b.level = level
            b.workingSetBytes = 1 << (15 + 4 * i)
            b.gbPerSecond = 100 - Double(i)
            return b
        }
        let report = Fixture.report(Fixture.collection([("crowded.jsonl", contents)]))
        let text = try XCTUnwrap(report.files[RooflinePlot.path("mobilenext-1.0-a1_2-224px-1t-separate")])
        let (svg, _, _) = SVGInspector.inspect(text)
        XCTAssertEqual(TextExtent.problems(svg), [])
        let footnotes = svg.textItems.filter { $0.groups.contains("footnotes") }.map(\.text).joined(separator: " ")
        for level in ["L1", "L2", "L3", "DRAM"] {
            let drawn = svg.textItems.contains { $0.ceiling == level && $0.text == level }
            XCTAssertTrue(drawn || footnotes.contains(level), "\(level): drawn, or listed as left out")
        }
        let bandwidthLines = svg.lines.filter { $0.ceiling != nil && $0.ceiling != "peak" }
        XCTAssertEqual(Set(bandwidthLines.compactMap(\.dash)).count, 4)
    }

    // MARK: latency versus MAdds

    func testLatencyVersusMAddsLeavesOutASettingWithOneWidthAndSaysSo() throws {
        let report = Fixture.report(try Fixture.both())
        let (svg, _, _) = SVGInspector.inspect(try XCTUnwrap(report.files[LatencyVersusMAddsPlot.path]))
        XCTAssertEqual(Set(svg.series), ["MobileNeXt", "MobileNetV2"], "the fused setting, at widths 0.5 and 1.0")
        let notes = svg.textItems.filter { $0.groups.contains("footnotes") }.map(\.text).joined(separator: " ")
        XCTAssertTrue(notes.contains("Left out: 224 px, 1 thread, separate adds, avx512: one width only (1.0)"), notes)
        // Legible: every point's width label is drawn, none left out.
        let labels = svg.textItems.filter { $0.groups.contains("series") }.map(\.text).sorted()
        XCTAssertEqual(labels, ["0.5", "0.5", "1.0", "1.0"])
        XCTAssertFalse(notes.contains("lack of room"))
        let readme = try XCTUnwrap(report.files["README.md"])
        XCTAssertTrue(readme.contains("![Latency versus MAdds across widths](plots/latency-vs-madds.svg)\n\nLeaves out 224 px, 1 thread, separate adds, avx512: one width only (1.0)"), readme)
    }

    func testLatencyVersusMAddsWithASingleWidthIsSkippedWithTheReason() throws {
        var contents = try Fixture.contents(Fixture.widths)
        contents.points = contents.points.filter { $0.width == 1.0 }
        let report = Fixture.report(Fixture.collection([("one-width.jsonl", contents)]))
        XCTAssertNotNil(report.files["table3.md"], "Table 3 still has the width")
        XCTAssertNil(report.files[LatencyVersusMAddsPlot.path])
        let readme = try XCTUnwrap(report.files["README.md"])
        let section = try XCTUnwrap(readme.components(separatedBy: "## Plots\n").last?.components(separatedBy: "\n## ").first)
        XCTAssertTrue(section.contains("### Latency versus MAdds across widths\n\nSkipped: the one setting has one width only (1.0): a latency-versus-MAdds line needs two widths or more"), section)
        XCTAssertFalse(readme.contains("latency-vs-madds.svg"))
        XCTAssertTrue(report.skipped.contains { $0.hasPrefix("The latency-versus-MAdds plot: the one setting has one width only") }, "\(report.skipped)")
    }

    /// Eight widths per architecture, the two architectures' points close together.
    static func crowdedWidths() throws -> ResultsCollection {
        var contents = try Fixture.contents(Fixture.widths)
        let base = contents.points.filter { $0.width == 1.0 }
        var points: [PointRecord] = []
        for p in base {
            for w in [1.4, 1.3, 1.0, 0.75, 0.5, 0.35, 0.3, 0.25] {
                var q = p
                q.id = p.id + "-w\(w)"
                q.width = w
                let next = p.model == "mobilenext"
                let offset: Int = next ? 4_000_000 : 0
                q.totals.madds = Int(300e6 * w * w) + offset
                let extra: Double = next ? 0.05 : 0
                let ms: Double = 3 * w * w + extra
                q.latencyMs.median = ms
                q.latencyMs.ciLow = ms * 0.99
                q.latencyMs.ciHigh = ms * 1.01
                points.append(q)
            }
        }
        contents.points = points
        return Fixture.collection([("crowded-widths.jsonl", contents)])
    }

    func testCrowdedWidthLabelsDoNotOverlapAndAnyLeftOutAreListed() throws {
        let report = Fixture.report(try Self.crowdedWidths())
        let (svg, ok, _) = SVGInspector.inspect(try XCTUnwrap(report.files[LatencyVersusMAddsPlot.path]))
        XCTAssertTrue(ok)
        XCTAssertEqual(TextExtent.problems(svg), [])
        let drawn = svg.textItems.filter { $0.groups.contains("series") }.count
        let notes = svg.textItems.filter { $0.groups.contains("footnotes") }.map(\.text).joined(separator: " ")
        let listed = notes.components(separatedBy: "lack of room").last.map { $0.components(separatedBy: ", ").count } ?? 0
        let leftOut = notes.contains("lack of room") ? listed : 0
        XCTAssertEqual(drawn + leftOut, 16, "every width label drawn or listed: \(notes)")
    }

    // MARK: no overlapping labels

    func testNoTwoTextsOverlapOrLeaveTheCanvasOnTheFixturePlots() throws {
        let report = Fixture.report(try Fixture.both())
        let svgs = report.paths.filter { $0.hasSuffix(".svg") }
        XCTAssertEqual(svgs.count, 16)
        for path in svgs {
            let (svg, ok, _) = SVGInspector.inspect(report.files[path]!)
            XCTAssertTrue(ok, path)
            XCTAssertGreaterThan(svg.textItems.count, 10, path)
            XCTAssertEqual(TextExtent.problems(svg), [], path)
        }
        // And without a calibration record (the note instead of ceilings).
        var contents = try Fixture.contents(Fixture.alpha)
        contents.calibrations = []
        let bare = Fixture.report(Fixture.collection([("no-calibration.jsonl", contents)]))
        for path in bare.paths where path.hasSuffix(".svg") {
            let (svg, _, _) = SVGInspector.inspect(bare.files[path]!)
            XCTAssertEqual(TextExtent.problems(svg), [], path)
        }
    }

    func testTheOverlapCheckCatchesOverlappingTexts() {
        var doc = SVGDocument(width: 200, height: 100, title: "t")
        doc.text("0.35", 50, 50, size: 10)
        doc.text("0.5", 60, 52, size: 10)
        doc.text("wide label", 190, 90, size: 11)
        let (svg, _, _) = SVGInspector.inspect(doc.render())
        XCTAssertEqual(TextExtent.problems(svg).count, 2, "\(TextExtent.problems(svg))")
    }

    // MARK: the placement rule

    func testLabelPlacerTakesTheFirstFreeSpotAndDropsWhatDoesNotFit() throws {
        let area = TextBox(minX: 0, minY: 0, maxX: 200, maxY: 100)
        var placer = LabelPlacer(area: area, gap: 2)
        let a = try XCTUnwrap(placer.place("0.35", size: 10, spots: [LabelSpot(50, 50)]))
        XCTAssertEqual(a.x, 50)
        // Same spot: nudged to the next candidate that keeps the gap.
        let spots = LabelPlacer.verticalNudges(LabelSpot(50, 50), step: 7, count: 3)
        XCTAssertEqual(spots.map(\.y), [50, 43, 57, 36, 64, 29, 71])
        let b = try XCTUnwrap(placer.place("0.5", size: 10, spots: spots))
        XCTAssertEqual(b.y, 36, "43 and 57 leave less than 2 px from the first label's 10.5 px tall box")
        let boxA = TextBox.estimate("0.35", x: a.x, y: a.y, size: 10)
        let boxB = TextBox.estimate("0.5", x: b.x, y: b.y, size: 10)
        XCTAssertFalse(boxA.overlaps(boxB, gap: 2))
        // Outside the area, or nowhere free: dropped and recorded.
        XCTAssertNil(placer.place("far", size: 10, spots: [LabelSpot(195, 50), LabelSpot(50, 50)], name: "the far label"))
        XCTAssertEqual(placer.dropped, ["the far label"])
        // A reserved line blocks labels across it, except the label that sits on its own line.
        placer.reserveSegment(100, 0, 100, 100, tag: "L1")
        XCTAssertNil(placer.place("L2", size: 10, spots: [LabelSpot(100, 80, anchor: "middle")]))
        XCTAssertNotNil(placer.place("L1", size: 10, spots: [LabelSpot(100, 80, anchor: "middle")], onSegment: "L1"))
    }

    func testTextBoxEstimateAndSegmentCrossing() {
        let box = TextBox.estimate("abcd", x: 100, y: 50, size: 10, anchor: "end")
        XCTAssertEqual(box.minX, 76, accuracy: 1e-9)
        XCTAssertEqual(box.maxX, 100, accuracy: 1e-9)
        XCTAssertEqual(box.minY, 42, accuracy: 1e-9)
        XCTAssertEqual(box.maxY, 52.5, accuracy: 1e-9)
        let turned = TextBox.estimate("abcd", x: 18, y: 200, size: 10, anchor: "middle", rotate: -90)
        XCTAssertEqual(turned.height, 24, accuracy: 1e-9)
        XCTAssertEqual(turned.width, 10.5, accuracy: 1e-9)
        XCTAssertTrue(box.isCrossed(by: 0, 0, 200, 100))
        XCTAssertFalse(box.isCrossed(by: 0, 0, 60, 100))
        XCTAssertFalse(box.isCrossed(by: 0, 60, 200, 60))
    }

    func testTickLabelsAreThinnedWhenTheyWouldTouch() {
        let ticks: [(Double, String)] = (0..<10).map { (Double($0), "\($0 * 1000)000") }
        let kept = PlotFrame.thinned(ticks) { t in TextBox.estimate(t.1, x: t.0 * 40, y: 0, size: 11, anchor: "middle") }
        XCTAssertEqual(kept.map(\.0), [0, 2, 4, 6, 8], "7-character labels 40 px apart: every second one")
        let roomy = PlotFrame.thinned(ticks) { t in TextBox.estimate(t.1, x: t.0 * 80, y: 0, size: 11, anchor: "middle") }
        XCTAssertEqual(roomy.count, 10)
    }
}
