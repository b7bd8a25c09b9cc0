import SandglassEngine
import XCTest
import SandglassHarness

/// Comparison groups of a sweep spec, and compare's verdicts on unpaired runs.
final class ComparisonGroupTests: XCTestCase {
    func testGroupsFormAroundTheBaselineValue() throws {
        let points = try SweepSpec.crossProduct(["width": ["0.5", "1.0"], "alpha": ["1/6", "1", "1/2"]])
        let groups = try ComparisonGroup.groups(points, ComparisonSpec(axis: "alpha", baseline: "1.0"))
        XCTAssertEqual(groups.count, 2)
        for g in groups {
            XCTAssertEqual(g.baseline.alpha.description, "1")
            XCTAssertEqual(Set(g.candidates.map(\.point.alpha.description)), ["1/6", "1/2"])
            XCTAssertTrue(g.candidates.allSatisfy { $0.point.width == g.baseline.width })
            XCTAssertEqual(g.candidates.map { $0.overrides["alpha"]! }, g.candidates.map(\.point.alpha.description))
        }
        XCTAssertEqual(Set(groups.map(\.baseline.width)), [0.5, 1.0])
    }

    func testSeveralAxesMakeOneGroupPerRemainingSetting() throws {
        let points = try SweepSpec.crossProduct(["model": ["mobilenext", "mobilenetv2"], "alpha": ["1", "1/6"], "add": ["fused", "separate"]])
        let spec = try ComparisonSpec(baseline: ["add": "fused", "alpha": "1"])
        let groups = try ComparisonGroup.groups(points, spec)
        XCTAssertEqual(groups.map(\.baseline.model), ["mobilenext", "mobilenetv2"])
        XCTAssertEqual(groups.map { $0.candidates.count }, [3, 3])
        let separateSixth = try XCTUnwrap(groups[0].candidates.first { $0.point.add.rawValue == "separate" && $0.point.alpha.description == "1/6" })
        XCTAssertEqual(separateSixth.overrides, ["add": "separate", "alpha": "1/6"])
        let fusedSixth = try XCTUnwrap(groups[0].candidates.first { $0.point.add.rawValue == "fused" && $0.point.alpha.description == "1/6" })
        XCTAssertEqual(fusedSixth.overrides, ["alpha": "1/6"])
    }

    func testAGroupWithoutItsBaselineIsAnError() throws {
        let points = try SweepSpec.crossProduct(["width": ["0.5", "1.0"], "alpha": ["1", "1/2"]])
            .filter { !($0.width == 0.5 && $0.alpha.description == "1") }
        XCTAssertThrowsError(try ComparisonGroup.groups(points, ComparisonSpec(axis: "alpha", baseline: "1"))) { e in
            XCTAssertTrue("\(e)".contains("no alpha = 1 point"), "\(e)")
        }
        XCTAssertThrowsError(try ComparisonSpec(axis: "alpha", baseline: "2")) { e in XCTAssertTrue("\(e)".contains("α = 2"), "\(e)") }
        XCTAssertThrowsError(try ComparisonSpec(axis: "colour", baseline: "1"))
    }

    func testPresetsDefineTheirGroups() throws {
        let t7 = try XCTUnwrap(SweepPresets.spec(named: "table7")?.groups())
        XCTAssertEqual(t7.count, 1)
        XCTAssertEqual(t7[0].baseline.alpha.description, "1")
        let t3 = try XCTUnwrap(SweepPresets.spec(named: "table3")?.groups())
        XCTAssertEqual(t3.count, 5)
        XCTAssertTrue(t3.allSatisfy { $0.baseline.model == "mobilenetv2" && $0.candidates.map(\.point.model) == ["mobilenext"] })
        let avm = try XCTUnwrap(SweepPresets.spec(named: "add-vs-mac")?.groups())
        XCTAssertEqual(avm.count, 2)
        XCTAssertTrue(avm.allSatisfy { $0.baseline.add.rawValue == "fused" && $0.baseline.alpha.description == "1" && $0.candidates.count == 7 })
    }

    func testSpecParsesCompareInEitherForm() throws {
        let one = try SweepSpecParser.parse("""
        axes: {model: mobilenext, alpha: [1, 1/6]}
        compare: {axis: alpha, baseline: 1, interleave: block:5, resolution-seconds: 3}
        """)
        XCTAssertEqual(one.compare?.baseline, ["alpha": "1"])
        XCTAssertEqual(one.compare?.interleave, .block(5))
        XCTAssertEqual(one.compare?.resolutionSeconds, 3)
        let two = try SweepSpecParser.parse("""
        axes: {model: mobilenext, alpha: [1, 1/6], add: [fused, separate]}
        compare:
          axis: [add, alpha]
          baseline: {add: fused, alpha: 1}
        """)
        XCTAssertEqual(two.compare?.axes, ["alpha", "add"])
        XCTAssertThrowsError(try SweepSpecParser.parse("""
        axes: {model: mobilenext, alpha: [1, 1/6], add: [fused, separate]}
        compare:
          axis: [add, alpha]
          baseline: fused
        """)) { e in XCTAssertTrue("\(e)".contains(":4:") && "\(e)".contains("maps each axis"), "\(e)") }
        XCTAssertThrowsError(try SweepSpecParser.parse("""
        axes: {model: mobilenext, alpha: [1, 1/6]}
        compare: {axis: alpha, baseline: 1, interleave: every}
        """)) { e in XCTAssertTrue("\(e)".contains("block:N"), "\(e)") }
        // Old results headers (no compare) still decode.
        let old = try JSONDecoder().decode(SweepSpec.self, from: Data(#"{"name":"x","description":"","points":[],"measurement":{"warmupRuns":1,"warmupSeconds":0,"minRepetitions":1,"maxRepetitions":1,"targetCI":0,"maxSeconds":1,"rounds":1,"cooldownSeconds":0,"perLayerIterations":0,"seed":1}}"#.utf8))
        XCTAssertNil(old.compare)
    }

    func testThermalZonesAreReadAndMissingOnesAreNil() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sg-thermal-\(getpid())").path
        try? FileManager.default.removeItem(atPath: root)
        XCTAssertNil(ThermalZones.read(root: root))
        for (i, (type, milli)) in [("cpu-thermal", "47500"), ("cpu-thermal", "52000"), ("gpu", "bad")].enumerated() {
            let zone = root + "/thermal_zone\(i)"
            try FileManager.default.createDirectory(atPath: zone, withIntermediateDirectories: true)
            try type.write(toFile: zone + "/type", atomically: true, encoding: .utf8)
            try (milli + "\n").write(toFile: zone + "/temp", atomically: true, encoding: .utf8)
        }
        defer { try? FileManager.default.removeItem(atPath: root) }
        XCTAssertEqual(ThermalZones.read(root: root), ["cpu-thermal": 47.5, "cpu-thermal.1": 52])
        var slept = 0.0
        let wait = try XCTUnwrap(ThermalZones.coolDown(below: 50, maxSeconds: 6, root: root, sleep: { slept += $0 }))
        XCTAssertFalse(wait.reached)
        XCTAssertEqual(wait.waited, 6)
        XCTAssertEqual(slept, 6)
        XCTAssertEqual(ThermalZones.coolDown(below: 60, root: root, sleep: { _ in XCTFail("no wait needed") })?.reached, true)
    }
}

/// compare on unpaired runs: drift that two runs show is not a verdict; a large change is.
final class UnpairedComparisonTests: XCTestCase {
    func record(_ samples: [Double]) -> PointRecord {
        func encoded<T: Encodable>(_ x: T) -> String { String(decoding: try! JSONEncoder().encode(x), as: UTF8.self) }
        let json = """
        {"type":"point","schemaVersion":1,"id":"p","model":"mobilenext","width":1,"alpha":"1","resolution":224,"threads":1,
         "add":"fused","counters":"none","pin":"none","isa":"auto","isaUsed":"avx512",
         "latencyMs":\(encoded(LatencyStatistics(samples: samples))),
         "samplesMs":\(samples),"warmup":{"runs":1,"seconds":0,"latencyMs":\(encoded(LatencyStatistics(samples: [1])))},
         "outliers":\(encoded(OutlierCounts(samples: samples))),"stopReason":"x","rounds":1,
         "totals":{"params":0,"paramsConvFC":0,"batchNormParams":0,"madds":0,"shortcutAdds":0,"weightBytes":0,"bytesRead":0,"bytesWritten":0},
         "memory":{"packedWeightBytes":0,"arenaBytes":0,"plannedBytes":0},
         "environment":{"startedAt":"","durationSeconds":0,"cpus":[]},"warnings":[]}
        """
        return try! JSONDecoder().decode(PointRecord.self, from: Data(json.utf8))
    }

    /// A run whose host drifted: a slow ramp of `percent` over the run, plus small noise.
    func drifting(_ n: Int, base: Double, percent: Double, seed: UInt64) -> [Double] {
        // Typed steps: Swift 6.0's type checker gives up on this as one expression.
        var random = SeededRandom(seed: seed)
        var out: [Double] = []
        for i in 0..<n {
            let ramp: Double = 1 + percent / 100 * Double(i) / Double(n)
            let unit: Double = Double(random.next() % 1000) / 1000
            let noise: Double = 1 + (unit - 0.5) * 0.01
            out.append(base * ramp * noise)
        }
        return out
    }

    func testDriftBetweenRunsOfTheSameBuildIsNotAVerdict() throws {
        // The second run sits 8% higher and both drift by 6% inside: unpaired, that is noise.
        let a = drifting(200, base: 10, percent: 6, seed: 1), b = drifting(200, base: 10.8, percent: 6, seed: 2)
        let raw = MannWhitneyU(a, b)
        XCTAssertLessThan(raw.pValue, 0.001, "a test on raw samples calls this significant")
        let report = Comparison.compare(baseline: [record(a)], candidate: [record(b)], failAbovePercent: 5)
        let row = try XCTUnwrap(report.points.first)
        XCTAssertFalse(row.significant)
        XCTAssertFalse(row.regression)
        XCTAssertTrue(row.verdict.hasPrefix("not distinguishable"), row.verdict)
        XCTAssertEqual(row.segments, 5)
    }

    func testACoreSharedWithAnotherProcessIsFlagged() throws {
        let a = drifting(200, base: 10, percent: 3, seed: 3), b = drifting(200, base: 19.5, percent: 3, seed: 4)
        let report = Comparison.compare(baseline: [record(a)], candidate: [record(b)], failAbovePercent: 5)
        let row = try XCTUnwrap(report.points.first)
        XCTAssertEqual(row.verdict, "slower")
        XCTAssertTrue(row.regression)
    }

    func testTheWiderOfDriftAndRecordedResolutionDecides() throws {
        // 30% drift inside the candidate (segment medians ~21% apart): a ~18% change is within it.
        let a = drifting(200, base: 10, percent: 1, seed: 5), b = drifting(200, base: 10.3, percent: 30, seed: 6)
        let row = try XCTUnwrap(Comparison.compare(baseline: [record(a)], candidate: [record(b)], failAbovePercent: nil,
                                                   minEffectPercent: 5).points.first)
        XCTAssertFalse(row.significant)
        XCTAssertEqual(row.resolutionSource, "drift within the candidate run")
        let steady = drifting(200, base: 11.5, percent: 1, seed: 7)
        let flagged = try XCTUnwrap(Comparison.compare(baseline: [record(a)], candidate: [record(steady)], failAbovePercent: nil,
                                                       minEffectPercent: 5).points.first)
        XCTAssertEqual(flagged.verdict, "slower")
        let recorded = try XCTUnwrap(Comparison.compare(baseline: [record(a)], candidate: [record(steady)], failAbovePercent: nil,
                                                        minEffectPercent: 5, resolutions: (20, nil)).points.first)
        XCTAssertFalse(recorded.significant)
        XCTAssertEqual(recorded.resolutionSource, "baseline run's A/A resolution")
    }
}

/// Drift on record between cycles, and groups that must fit in memory to stay resident.
final class DriftAndResidencyTests: XCTestCase {
    func sample(_ t: Double, _ mhz: Double?, _ celsius: Double?) -> DriftSample {
        DriftSample(seconds: t, cycles: Int(t * 10), frequencyMHz: mhz.map { [$0, 3000] },
                    temperatureCelsius: celsius.map { ["cpu-thermal": $0] }, loadAverage1: 1)
    }

    func testSteadyHostIsQuietAndAMovingOneIsNamed() {
        let steady = [sample(0, 3000, 50), sample(2, 3010, 51), sample(4, 2990, 52)]
        XCTAssertEqual(DriftLog.warnings(steady), [])
        XCTAssertEqual(DriftLog.frequencySpread(steady)!, 20.0 / 2990, accuracy: 1e-12)
        let throttled = [sample(0, 3000, 50), sample(2, 2400, 58), sample(4, 2500, 61)]
        let warnings = DriftLog.warnings(throttled)
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        XCTAssertTrue(warnings[0].hasPrefix("CPU frequency moved by 25%"), warnings[0])
        XCTAssertTrue(warnings[1].hasPrefix("temperature moved by 11 °C"), warnings[1])
        // A VM without cpufreq or thermal zones: nothing to say, and nothing made up.
        let bare = [sample(0, nil, nil), sample(2, nil, nil)]
        XCTAssertNil(DriftLog.frequencySpread(bare))
        XCTAssertNil(DriftLog.temperatureSpread(bare))
        XCTAssertEqual(DriftLog.warnings(bare), [])
    }

    func testTheMonitorRunsBetweenCyclesAndAfterTheLast() throws {
        let plan = try Planner.plan(try ModelSpec(architecture: .mobilenext, width: 0.35, resolution: 32, classes: 8).build())
        var m = InterleavedMeasurement()
        m.warmupCycles = 1
        m.minCycles = 5
        m.maxCycles = 40
        m.target = 0
        m.monitorInterval = 0
        let recorder = DriftRecorder(cpus: nil)
        m.monitor = { recorder.record(seconds: $0, cycles: $1) }
        let result = m.measure([Executor(plan: plan), Executor(plan: plan)])
        XCTAssertEqual(result.cycles, 40)
        XCTAssertEqual(recorder.samples.map(\.cycles), Array(1...40) + [40], "every cycle with interval 0, then once at the end")
        XCTAssertNotNil(recorder.samples.last?.loadAverage1)
    }

    func testAGroupThatCannotStayResidentSaysWhatToDo() throws {
        let points = try SweepSpec.crossProduct(["alpha": ["1", "1/2", "1/6"]])
        let group = try XCTUnwrap(try ComparisonGroup.groups(points, ComparisonSpec(axis: "alpha", baseline: "1")).first)
        let mib = 1_048_576
        XCTAssertNil(group.residencyProblem(plannedBytes: 40 * mib, models: 2, availableBytes: 100 * mib))
        XCTAssertNil(group.residencyProblem(plannedBytes: 400 * mib, models: 2, availableBytes: nil), "unknown memory is not a refusal")
        let problem = try XCTUnwrap(group.residencyProblem(plannedBytes: 60 * mib, models: 2, availableBytes: 100 * mib))
        XCTAssertTrue(problem.contains("2 of 3 models"), problem)
        XCTAssertTrue(problem.contains("60 MiB") && problem.contains("100 MiB"), problem)
        XCTAssertTrue(problem.contains("one at a time, unpaired"), problem)
    }
}
