import SandglassHarness
import XCTest

final class SweepSpecTests: XCTestCase {
    func testCrossProductAndExplicitPoints() throws {
        let spec = try SweepSpecParser.parse("""
        name: demo
        description: a small sweep
        axes:
          model: mobilenext
          alpha: [1, 1/2, 1/3, 1/6]
          add: [fused, separate]
          threads: [1, 2]
        points:
          - {model: mobilenetv2, width: 0.5}
        measurement:
          warmup: {runs: 3, seconds: 0.1}
          repetitions: {min: 20, max: 200}
          target-ci: 2%
          max-seconds: 5
          rounds: 3
          cooldown-seconds: 0.5
          per-layer-iterations: 7
          seed: 9
        """, file: "demo.yaml")
        XCTAssertEqual(spec.name, "demo")
        XCTAssertEqual(spec.points.count, 4 * 2 * 2 + 1)
        XCTAssertEqual(Set(spec.points.map(\.id)).count, spec.points.count)
        XCTAssertTrue(spec.points.contains { $0.model == "mobilenext" && $0.alpha.description == "1/6" && $0.add.rawValue == "separate" && $0.threads == 2 })
        XCTAssertEqual(spec.points.last?.model, "mobilenetv2")
        XCTAssertEqual(spec.points.last?.width, 0.5)
        let m = spec.measurement
        XCTAssertEqual(m.warmupRuns, 3)
        XCTAssertEqual(m.warmupSeconds, 0.1)
        XCTAssertEqual(m.minRepetitions, 20)
        XCTAssertEqual(m.maxRepetitions, 200)
        XCTAssertEqual(m.targetCI, 0.02, accuracy: 1e-12)
        XCTAssertEqual(m.maxSeconds, 5)
        XCTAssertEqual(m.rounds, 3)
        XCTAssertEqual(m.cooldownSeconds, 0.5)
        XCTAssertEqual(m.perLayerIterations, 7)
        XCTAssertEqual(m.seed, 9)
    }

    func testOnlyExplicitPoints() throws {
        let spec = try SweepSpecParser.parse("points:\n  - {alpha: 1/2}\n  - {model: mobilenetv2}\n")
        XCTAssertEqual(spec.points.map(\.alpha.description), ["1/2", "1"])
        XCTAssertEqual(spec.points.map(\.model), ["mobilenext", "mobilenetv2"])
    }

    func testPresets() throws {
        XCTAssertEqual(SweepPresets.spec(named: "table7")?.points.map(\.alpha.description), ["1", "1/2", "1/3", "1/6"])
        let t3 = try XCTUnwrap(SweepPresets.spec(named: "table3"))
        XCTAssertEqual(t3.points.count, 10)
        XCTAssertEqual(Set(t3.points.map(\.width)), [0.35, 0.5, 0.75, 1.0, 1.4])
        let avm = try XCTUnwrap(SweepPresets.spec(named: "add-vs-mac"))
        XCTAssertEqual(avm.points.count, 2 * 4 * 2)
        XCTAssertTrue(avm.points.allSatisfy { $0.counters.description != "none" })
        XCTAssertNil(SweepPresets.spec(named: "table9"))
    }

    /// Every problem names file, line and column, and says what to write.
    func testErrorsHaveLineNumbers() {
        let cases: [(String, Int, String)] = [
            ("axes:\n  widht: [1.0]\n", 2, "did you mean 'width'"),
            ("axes:\n  alpha: [1, 2]\n", 2, "outside (0, 1]"),
            ("axes:\n  width: [1.0, -0.5]\n", 2, "positive"),
            ("axes:\n  model: [resnet]\n", 2, "unknown model"),
            ("name: x\nmeasurment:\n  rounds: 2\n", 2, "did you mean 'measurement'"),
            ("measurement:\n  rounds: 0\n", 2, "rounds"),
            ("measurement:\n  repetitions: {min: 50, max: 10}\n", 2, "below min"),
            ("measurement:\n  target-ci: lots\n", 2, "target-ci"),
            ("name: empty\n", 1, "empty"),
            ("axes:\n  threads: [1, two]\n", 2, "threads"),
            ("points:\n  - {alpah: 1/2}\n", 2, "did you mean 'alpha'"),
            ("axes: [1, 2]\n", 1, "axes"),
        ]
        for (text, line, phrase) in cases {
            XCTAssertThrowsError(try SweepSpecParser.parse(text, file: "bad.yaml"), text) { error in
                guard let e = error as? SweepSpecError else { return XCTFail("\(type(of: error))") }
                XCTAssertEqual(e.line, line, "\(text) → \(e)")
                XCTAssertTrue(e.description.hasPrefix("bad.yaml:\(line):"), e.description)
                XCTAssertTrue(e.description.contains(phrase), "\(e.description) lacks '\(phrase)'")
            }
        }
        XCTAssertThrowsError(try SweepSpecParser.parse("axes: {model: [a, b]\n", file: "broken.yaml")) { error in
            XCTAssertTrue("\(error)".contains("not valid YAML"), "\(error)")
        }
    }

    /// A tab where YAML wants indentation is named by its place, not by libyaml's dump of the
    /// line (which quotes the tab itself); tabs that YAML allows still parse.
    func testTabsInIndentationAreNamedByLineAndColumn() throws {
        let cases: [(String, Int, Int)] = [
            ("name: t\naxes:\n\tmodel: mobilenext\n", 3, 1),
            ("name: t\naxes:\n  model: mobilenext\n  \twidth: 1.0\n", 4, 3),
            ("name: t\naxes:\n  model: mobilenext\n\t\n", 4, 1),
        ]
        for (text, line, column) in cases {
            XCTAssertThrowsError(try SweepSpecParser.parse(text, file: "tab.yaml"), text) { error in
                XCTAssertEqual("\(error)", "tab.yaml:\(line):\(column): tabs are not allowed in YAML; indent with spaces")
            }
        }
        XCTAssertEqual(try SweepSpecParser.parse("name:\tt\naxes:\n  model: [mobilenext,\tmobilenetv2]\n").points.count, 2)
    }

    func testShuffledOrderIsAReproduciblePermutation() {
        for count in [0, 1, 2, 7, 40] {
            let a = SweepRunner.shuffledOrder(count: count, seed: 42)
            XCTAssertEqual(a.sorted(), Array(0..<count))
            XCTAssertEqual(a, SweepRunner.shuffledOrder(count: count, seed: 42))
        }
        XCTAssertNotEqual(SweepRunner.shuffledOrder(count: 40, seed: 1), SweepRunner.shuffledOrder(count: 40, seed: 2))
        XCTAssertNotEqual(SweepRunner.shuffledOrder(count: 40, seed: 1), Array(0..<40))
    }
}
