import XCTest
import SandglassProbes

final class MemoryTrafficTests: XCTestCase {
    private let rule = TrafficRule(level: "L2", cacheLevel: 2, fills: ["fill"], writeBacks: ["wb"])

    func testBytesRatioAndProvenance() {
        var r = CounterReadings()
        r["fill"] = .value(100, .measured)
        r["wb"] = .value(50, .scaled, runningFraction: 0.5)
        let t = LayerTraffic(analyticBytes: 4_800, rules: [rule], readings: r, lineBytes: { $0 == 2 ? 64 : 128 })
        XCTAssertEqual(t.analytic, .value(4_800, .analytic))
        XCTAssertEqual(t.measured.count, 1)
        XCTAssertEqual(t.measured[0].bytes, .value(150 * 64, .scaled), "scaled input -> scaled bytes")
        XCTAssertEqual(t.measured[0].ratio ?? 0, 2.0, accuracy: 1e-12)
        XCTAssertEqual(t.measured[0].lineBytes, 64)
    }

    func testUnavailableEventMakesBytesUnavailable() {
        var r = CounterReadings()
        r["fill"] = .value(100, .measured)
        r["wb"] = .unavailable("no PMU")
        let t = LayerTraffic(analyticBytes: 1_000, rules: [rule], readings: r, lineBytes: { _ in 64 })
        XCTAssertNil(t.measured[0].bytes.value)
        XCTAssertTrue(t.measured[0].bytes.unavailableReason?.contains("no PMU") == true)
        XCTAssertNil(t.measured[0].ratio)
        // With no rule (software counters) only the analytic minimum is there.
        XCTAssertEqual(LayerTraffic(analyticBytes: 1_000, rules: [], readings: r, lineBytes: { _ in 64 }).measured, [])
    }

    func testProvenanceCombination() {
        XCTAssertEqual(Provenance.measured.combined(with: .scaled), .scaled)
        XCTAssertEqual(Provenance.scaled.combined(with: .measured), .scaled)
        XCTAssertEqual(Provenance.simulated.combined(with: .simulated), .simulated)
    }
}
