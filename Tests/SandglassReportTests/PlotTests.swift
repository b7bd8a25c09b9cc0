import Foundation
import SandglassHarness
import SandglassReport
import XCTest

/// Every SVG of a report is well-formed XML (Foundation's XMLParser) with the series it should
/// plot, axes and legend; rooflines draw ceilings only from a calibration record.
final class PlotTests: XCTestCase {
    func testEverySVGIsWellFormedWithTitleAxesAndLegend() throws {
        let report = Fixture.report(try Fixture.both())
        let svgs = report.paths.filter { $0.hasSuffix(".svg") }
        XCTAssertEqual(svgs.count, 4 + 2 + 10, "four plots, Table 6's two, and one roofline per point with layers")
        for path in svgs {
            let (svg, ok, error) = SVGInspector.inspect(report.files[path]!)
            XCTAssertTrue(ok, "\(path): \(String(describing: error))")
            XCTAssertEqual(svg.rootName, "svg", path)
            XCTAssertTrue(svg.groupClasses.contains("axes"), path)
            XCTAssertTrue(svg.groupClasses.contains("legend"), path)
            XCTAssertGreaterThan(svg.elements["title"] ?? 0, 0, path)
        }
    }

    func testLatencyVersusAlphaHasOneSeriesPerSettingAndThePaper() throws {
        let report = Fixture.report(try Fixture.both())
        let (abs, _, _) = SVGInspector.inspect(try XCTUnwrap(report.files[LatencyVersusAlphaPlot.path]))
        XCTAssertEqual(abs.series, ["224 px, 1 thread, fused adds, avx512", "224 px, 1 thread, separate adds, avx512"])
        XCTAssertEqual(abs.elements["circle"], 8 + 2, "four α per series, and the legend's two marks")
        XCTAssertTrue(abs.texts.contains("Latency, median (ms)"))
        XCTAssertTrue(abs.texts.contains("1/6"))
        let (rel, _, _) = SVGInspector.inspect(try XCTUnwrap(report.files[LatencyVersusAlphaPlot.relativePath]))
        XCTAssertEqual(rel.series.last, LatencyVersusAlphaPlot.paperSeries)
        XCTAssertTrue(rel.texts.contains { $0.hasPrefix("α = 1/6: 0.891") }, "the paper's 188 / 211")
    }

    func testLatencyVersusMAddsPlotsBothArchitectures() throws {
        let report = Fixture.report(try Fixture.both())
        let (svg, _, _) = SVGInspector.inspect(try XCTUnwrap(report.files[LatencyVersusMAddsPlot.path]))
        // The separate-adds setting has one width only: left out (PlotReadabilityTests).
        XCTAssertEqual(Set(svg.series), ["MobileNeXt", "MobileNetV2"])
        XCTAssertTrue(svg.texts.contains { $0.hasSuffix("224 px, 1 thread, fused adds, avx512") }, "the setting in the subtitle")
        XCTAssertTrue(svg.texts.contains("MAdds per inference (millions)"))
    }

    func testStackedBarsHaveOneSegmentPerLayer() throws {
        let c = try Fixture.both()
        let report = Fixture.report(c)
        let (svg, _, _) = SVGInspector.inspect(try XCTUnwrap(report.files[LayerTimeStackedBarsPlot.path]))
        XCTAssertEqual(svg.series.count, 10)
        XCTAssertTrue(svg.series.contains("MobileNeXt-1.0 α=1/3 separate"))
        let breakdown = LayerBreakdown.build(c)
        let layers = breakdown.entries.reduce(0) { $0 + ($1.point.record.layers?.count ?? 0) }
        let legendBoxes = OpColors(c).ops.count
        XCTAssertEqual(svg.elements["rect"], 1 + layers + legendBoxes, "background, one per layer, legend boxes")
    }

    func testRooflineDrawsMeasuredCeilingsOrSaysThereAreNone() throws {
        let c = try Fixture.both()
        let report = Fixture.report(c)
        let path = RooflinePlot.path("mobilenext-1.0-a1_2-224px-1t-separate")
        let (svg, ok, _) = SVGInspector.inspect(try XCTUnwrap(report.files[path]))
        XCTAssertTrue(ok)
        XCTAssertEqual(Set(svg.series), ["add", "conv1x1", "conv3x3s2", "dwconv3x3s1", "dwconv3x3s2", "fc"])
        let calibration = try XCTUnwrap(Fixture.contents(Fixture.alpha).calibrations.first)
        let peak = try XCTUnwrap(calibration.peak(isa: "avx512", threads: 1))
        XCTAssertTrue(svg.texts.contains("peak avx512: \(String(format: "%.1f", peak)) GFLOP/s (measured)"))
        for level in ["L1", "L2", "L3", "DRAM"] {
            XCTAssertTrue(svg.texts.contains { $0.hasPrefix("\(level): ") && $0.hasSuffix("GB/s (measured)") }, level)
        }

        // Without a calibration record: no ceilings, and the plot says so.
        var contents = try Fixture.contents(Fixture.alpha)
        contents.calibrations = []
        let bare = Fixture.report(Fixture.collection([("no-calibration.jsonl", contents)]))
        let (none, _, _) = SVGInspector.inspect(try XCTUnwrap(bare.files[path]))
        XCTAssertFalse(none.texts.contains { $0.contains("GFLOP/s (measured)") || $0.contains("GB/s (measured)") })
        XCTAssertTrue(none.texts.joined(separator: " ").contains("No calibration record in the results"))
        XCTAssertTrue(bare.files["README.md"]!.contains("No calibration record in the results"))
        XCTAssertTrue(bare.warnings.contains { $0.contains("no calibration record") })
    }

    func testSVGWriterEscapesText() {
        var svg = SVGDocument(width: 10, height: 10, title: "a < b & \"c\"")
        svg.text("x > y & z", 1, 1)
        let (inspector, ok, _) = SVGInspector.inspect(svg.render())
        XCTAssertTrue(ok)
        XCTAssertEqual(inspector.texts, ["a < b & \"c\"", "x > y & z"])
    }
}
