import SandglassEngine
import XCTest
import SandglassHarness

/// Which ISAs the self-test before a sweep checks: the ones its points will run with.
final class SelfTestGateTests: XCTestCase {
    func testChecksTheISAsThePointsRunWith() throws {
        let best = try ISASelection.best()
        XCTAssertEqual(SelfTestGate.isas(for: [SweepPoint(), SweepPoint(width: 0.5)]), [best], "auto: the best, once")
        #if arch(x86_64)
        XCTAssertEqual(SelfTestGate.isas(for: [SweepPoint(isa: .named(.avx2)), SweepPoint()]), best == .avx2 ? [.avx2] : [.avx2, best])
        XCTAssertEqual(SelfTestGate.isas(for: [SweepPoint(counters: .sim)]), [.avx2], "sim runs AVX2 under valgrind")
        // An ISA this CPU cannot run is left to the point's own error, not checked.
        XCTAssertEqual(SelfTestGate.isas(for: [SweepPoint(isa: .named(.neon))]), [])
        #endif
    }

    func testSkippingIsRecordedNotHidden() {
        let outcome = SelfTestGate.check(isas: [.avx2], skip: true)
        XCTAssertEqual(outcome.status, "skipped")
        XCTAssertFalse(outcome.passed)
        XCTAssertTrue(outcome.summary.contains("--skip-selftest"))
    }
}
