import SandglassHarness
import XCTest

/// Statistics against values computed independently (NumPy, SciPy; the commands are in the comments).
final class StatisticsTests: XCTestCase {
    func testPercentilesMatchNumPy() {
        // np.percentile(np.arange(1, 101) / 10, [10, 50, 90]) == [1.09, 5.05, 9.01]
        let s = LatencyStatistics(samples: (1...100).map { Double($0) / 10 }.shuffled())
        XCTAssertEqual(s.p10, 1.09, accuracy: 1e-12)
        XCTAssertEqual(s.median, 5.05, accuracy: 1e-12)
        XCTAssertEqual(s.p90, 9.01, accuracy: 1e-12)
        XCTAssertEqual(s.min, 0.1)
        XCTAssertEqual(s.max, 10)
        XCTAssertEqual(s.mean, 5.05, accuracy: 1e-12)
        XCTAssertEqual(s.stddev, 2.9011491975882016, accuracy: 1e-12)   // np.std(x, ddof=1)
        XCTAssertEqual(s.count, 100)
    }

    func testMedianConfidenceInterval() {
        // n = 100: ranks 50 ∓ 9.8 → order statistics 40 and 61 (1-based): 4.0 and 6.1.
        let s = LatencyStatistics(samples: (1...100).map { Double($0) / 10 })
        XCTAssertEqual(s.ciLow, 4.0, accuracy: 1e-12)
        XCTAssertEqual(s.ciHigh, 6.1, accuracy: 1e-12)
        XCTAssertLessThan(s.ciLow, s.median)
        XCTAssertGreaterThan(s.ciHigh, s.median)
        // Tight samples give a tight interval; few samples none.
        let tight = LatencyStatistics(samples: (0..<200).map { 10 + Double($0 % 5) * 0.001 })
        XCTAssertLessThan(tight.ciRelativeHalfWidth, 0.001)
        XCTAssertEqual(LatencyStatistics(samples: [1, 2, 3]).ciRelativeHalfWidth, .infinity)
    }

    func testOutliersByTukeyFences() {
        let steady: [Double] = (0..<20).map { 10 + Double($0) * 0.05 }
        let o = OutlierCounts(samples: steady + [30, 31, 2])
        XCTAssertEqual(o.high, 2)
        XCTAssertEqual(o.low, 1)
    }

    func testMannWhitneyUMatchesSciPy() {
        // scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic', use_continuity=True)
        let a = (1...10).map(Double.init), b = (0..<10).map { 4.5 + Double($0) }
        let t = MannWhitneyU(a, b)
        XCTAssertEqual(t.u, 21)
        XCTAssertEqual(t.pValue, 0.031209012771740218, accuracy: 1e-6)
        // With ties: c = [1,1,2,2,...,5,5], d = [3,3,...,7,7] → U = 18, p = 0.015856209681046226
        let c = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5].map(Double.init), d = [3, 3, 4, 4, 5, 5, 6, 6, 7, 7].map(Double.init)
        let t2 = MannWhitneyU(c, d)
        XCTAssertEqual(t2.u, 18)
        XCTAssertEqual(t2.pValue, 0.015856209681046226, accuracy: 1e-6)
        XCTAssertEqual(MannWhitneyU(a, a).pValue, 1, accuracy: 1e-9)
    }
}
