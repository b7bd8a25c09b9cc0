import SandglassEngine
import SandglassHarness
import XCTest

/// Paired statistics on synthetic series whose answer is known: drift, steps and
/// autocorrelation fool a pooled comparison of samples taken at different moments, and do not
/// fool the ratio of samples paired within a cycle.
final class PairedStatisticsTests: XCTestCase {
    /// Uniform noise in [-1, 1) from the engine's seeded generator.
    struct Noise {
        var random: SeededRandom
        init(_ seed: UInt64) { random = SeededRandom(seed: seed) }
        mutating func next() -> Double { Double(random.next() >> 11) / Double(1 << 52) - 1 }
    }

    /// A host whose speed drifts (a random walk) and steps by 15 % halfway.
    func host(_ n: Int, seed: UInt64) -> [Double] {
        var noise = Noise(seed)
        var level = 1.0
        return (0..<n).map { i in
            level = min(1.3, max(0.8, level * (1 + 0.004 * noise.next())))
            return level * (i >= n / 2 ? 1.15 : 1.0)
        }
    }

    /// A and B alternated on that host: each cycle runs both, so they share its state; B is
    /// `effect` times A, and each run has ±1 % noise of its own.
    func alternated(_ n: Int, effect: Double, drift: [Double], seed: UInt64) -> (a: [Double], b: [Double]) {
        var noise = Noise(seed)
        var a: [Double] = [], b: [Double] = []
        for i in 0..<n {
            a.append(10 * drift[2 * i] * (1 + 0.01 * noise.next()))
            b.append(10 * effect * drift[2 * i + 1] * (1 + 0.01 * noise.next()))
        }
        return (a, b)
    }

    func testAAUnderDriftAndAStep() {
        let n = 2000
        let drift = host(2 * n, seed: 3)
        let (a, b) = alternated(n, effect: 1, drift: drift, seed: 9)
        let paired = PairedComparison(baseline: a, candidate: b)
        XCTAssertEqual(paired.pairs, n)
        XCTAssertTrue(paired.ratio.contains(1), "A/A must contain 1: \(paired.ratio)")
        XCTAssertLessThan(paired.halfWidth, 0.005)
        // Unpaired: A measured in the first half, B in the second (blocks, rounds or runs):
        // the same A/A looks like a 15 % slowdown to a test on raw samples.
        let first = Array((0..<n).map { 10 * drift[$0] }), second = Array((n..<(2 * n)).map { 10 * drift[$0] })
        XCTAssertLessThan(MannWhitneyU(first, second).pValue, 0.001, "the pooled test should be fooled by the step")
    }

    func testRealEffectIsFoundThroughDrift() {
        let n = 1500
        let (a, b) = alternated(n, effect: 0.97, drift: host(2 * n, seed: 5), seed: 11)
        let c = PairedComparison(baseline: a, candidate: b)
        XCTAssertFalse(c.ratio.contains(1), "\(c.ratio)")
        XCTAssertTrue(c.ratio.contains(0.97) || abs(c.ratio.median - 0.97) < 0.002, "\(c.ratio)")
        XCTAssertLessThan(c.differenceMs.median, 0)
        XCTAssertEqual(PairedGroup.verdict(c.ratio, pairs: c.pairs, resolution: nil), "faster")
    }

    func testVerdictRespectsTheMachineResolution() {
        let aa = PairedComparison(baseline: [10, 10, 10, 10, 10, 10, 10, 10], candidate: [9.8, 10.2, 9.9, 10.1, 9.7, 10.3, 9.8, 10.2])
        let resolution = PairedResolution(aa)
        XCTAssertGreaterThan(resolution.limitPercent, 1)
        // A 1 % effect whose CI excludes 1 is still below a ±2–3 % resolution.
        let small = MedianCI(median: 0.99, ciLow: 0.985, ciHigh: 0.995)
        XCTAssertTrue(PairedGroup.verdict(small, pairs: 100, resolution: resolution).hasPrefix("not distinguishable"))
        let large = MedianCI(median: 0.90, ciLow: 0.89, ciHigh: 0.91)
        XCTAssertEqual(PairedGroup.verdict(large, pairs: 100, resolution: resolution), "faster")
        XCTAssertEqual(PairedGroup.verdict(MedianCI(median: 1.1, ciLow: 1.09, ciHigh: 1.11), pairs: 100, resolution: resolution), "slower")
    }

    /// One pair (a sweep cut short by its time cap on a slow board) has a "CI" of one value:
    /// no verdict, however far from 1 it lies.
    func testTooFewPairsGetNoVerdict() {
        let one = PairedComparison(baseline: [4095.6], candidate: [4928.9])
        XCTAssertEqual(one.pairs, 1)
        XCTAssertFalse(one.ratio.contains(1), "the degenerate interval [x, x] excludes 1")
        XCTAssertEqual(PairedGroup.verdict(one.ratio, pairs: one.pairs, resolution: nil), "too few pairs for a verdict (1 of 6 needed)")
        let six = PairedComparison(baseline: Array(repeating: 10, count: 6), candidate: Array(repeating: 12, count: 6))
        XCTAssertEqual(PairedGroup.verdict(six.ratio, pairs: six.pairs, resolution: nil), "slower")
    }

    func testLag1AutocorrelationSeesPersistence() throws {
        var noise = Noise(21)
        let white = (0..<4000).map { _ in noise.next() }
        var x = 0.0
        let ar = (0..<4000).map { _ -> Double in x = 0.9 * x + noise.next(); return x }
        XCTAssertLessThan(abs(try XCTUnwrap(PairedStatistics.lag1Autocorrelation(white))), 0.1)
        XCTAssertGreaterThan(try XCTUnwrap(PairedStatistics.lag1Autocorrelation(ar)), 0.8)
        XCTAssertNil(PairedStatistics.lag1Autocorrelation([1, 1, 1, 1]))
        // Autocorrelated pairs earn a warning.
        let c = PairedComparison(baseline: Array(repeating: 1, count: ar.count), candidate: ar.map { 1 + 0.01 * $0 })
        XCTAssertFalse(c.warnings.isEmpty)
    }

    func testInterleaveModeParsing() throws {
        XCTAssertEqual(try InterleaveMode(parsing: "inference"), .inference)
        XCTAssertEqual(try InterleaveMode(parsing: "block:5"), .block(5))
        for bad in ["block:1", "block:x", "blocks:5", "", "block:0"] {
            XCTAssertThrowsError(try InterleaveMode(parsing: bad), bad)
        }
    }

    /// Real models, alternated: every cycle visits each once; block mode keeps switch costs apart.
    func testInterleavedMeasurementOnRealModels() throws {
        func executor(_ alpha: IdentityMultiplier) throws -> Executor {
            let spec = ModelSpec(architecture: .mobilenext, width: 0.35, alpha: alpha, resolution: 32)
            let plan = try Planner.plan(try spec.build(), options: PlanOptions())
            plan.setRandomInput(seed: 1)
            return Executor(plan: plan)
        }
        let models = [try executor(.one), try executor(.one), try executor(IdentityMultiplier(parsing: "1/6"))]
        var s = InterleavedMeasurement()
        s.warmupCycles = 2
        s.minCycles = 40
        s.maxCycles = 40
        s.target = 0
        s.maxSeconds = 600
        let r = s.measure(models)
        XCTAssertEqual(r.cycles, 40)
        XCTAssertEqual(r.stopReason, "max-cycles")
        XCTAssertEqual(r.samplesMs.map(\.count), [40, 40, 40])
        XCTAssertTrue(r.switchCostMs.allSatisfy(\.isEmpty))
        XCTAssertEqual(r.comparisons.count, 2)
        XCTAssertTrue(r.samplesMs.joined().allSatisfy { $0 > 0 })
        s.mode = .block(3)
        s.maxCycles = 10
        s.minCycles = 10
        let b = s.measure(models)
        XCTAssertEqual(b.samplesMs.map(\.count), [10, 10, 10])
        XCTAssertEqual(b.switchCostMs.map(\.count), [10, 10, 10])
    }
}

/// The per-layer pass's overhead from its interleaved pairs: a cost above 1% is said only when
/// the CI is above 1%, however the host drifts.
final class PairedOverheadTests: XCTestCase {
    func measurement(overhead: Double, drift: Double) -> PerLayerBenchmark.Measurement {
        var random = SeededRandom(seed: 7)
        let n = 200
        var plain: [Double] = [], instrumented: [Double] = []
        for i in 0..<n {
            // The host drifts by ±drift over the run; both runs of a pair share it.
            let host = 10 * (1 + drift * sin(Double(i) / 15))
            let noise = { 1 + (Double(random.next() % 1000) / 1000 - 0.5) * 0.004 }
            plain.append(host * noise())
            instrumented.append(host * (1 + overhead) * noise())
        }
        return PerLayerBenchmark.Measurement(warmup: [], uninstrumented: plain, instrumented: instrumented,
                                             uninstrumentedCPU: plain, instrumentedCPU: instrumented)
    }

    func testAThreePercentCostIsResolvedThroughDrift() throws {
        let m = measurement(overhead: 0.03, drift: 0.2)
        let paired = m.pairedOverhead
        XCTAssertEqual(paired.pairs, 200)
        XCTAssertEqual(paired.ratio.median, 1.03, accuracy: 0.002)
        XCTAssertLessThan(paired.halfWidth, 0.002, "pairs cancel the ±20% drift")
        let percent = MedianCI(median: (paired.ratio.median - 1) * 100, ciLow: (paired.ratio.ciLow - 1) * 100,
                               ciHigh: (paired.ratio.ciHigh - 1) * 100)
        let warning = try XCTUnwrap(PerLayerMeasurer.overheadWarning(percent))
        XCTAssertTrue(warning.hasPrefix("per-layer instrumentation costs +3.0"), warning)
    }

    func testAHalfPercentCostIsNotWarnedAbout() {
        let paired = measurement(overhead: 0.005, drift: 0.2).pairedOverhead
        XCTAssertTrue(paired.ratio.contains(1.005) || abs(paired.ratio.median - 1.005) < 0.001, "\(paired.ratio)")
        let percent = MedianCI(median: (paired.ratio.median - 1) * 100, ciLow: (paired.ratio.ciLow - 1) * 100,
                               ciHigh: (paired.ratio.ciHigh - 1) * 100)
        XCTAssertNil(PerLayerMeasurer.overheadWarning(percent))
        XCTAssertNil(PerLayerMeasurer.overheadWarning(MedianCI(median: 1.5, ciLow: 0.8, ciHigh: 2.2)), "a CI reaching below 1% is not beyond doubt")
    }
}
