import SandglassEngine
import SandglassHarness
import XCTest

/// The roofline bound against the same arithmetic done here step by step, from a made-up
/// calibration whose ceilings are round numbers.
final class RooflineBoundTests: XCTestCase {
    let caches = [(level: 1, bytes: 48 << 10), (level: 2, bytes: 2 << 20), (level: 3, bytes: 64 << 20)]
    let bandwidths = ["L1": 100.0, "L2": 50.0, "L3": 10.0, "DRAM": 5.0]

    func calibration(peak: Double, dram: Bool = true) -> CalibrationRecord {
        CalibrationRecord(measuredAt: "test", peaks: [PeakMeasurement(isa: "avx2", threads: 1, gflops: peak / 2),
                                                      PeakMeasurement(isa: (try! ISASelection.best()).rawValue, threads: 1, gflops: peak)],
                          bandwidth: bandwidths.filter { dram || $0.key != "DRAM" }.map {
                              BandwidthMeasurement(level: $0.key, workingSetBytes: 1, threads: 1, gbPerSecond: $0.value)
                          })
    }

    func testBoundIsTheSumOfEachStepsSlowerCeiling() throws {
        let graph = try ModelSpec(architecture: .mobilenext, width: 1.0, alpha: .one, resolution: 224, seed: 1).build()
        let plan = try Planner.plan(graph, options: PlanOptions(isa: try ISASelection.best(), fusion: .none))
        for peak in [50.0, 5000.0] {
            let bound = try XCTUnwrap(Roofline.bound(plan: plan, calibration: calibration(peak: peak), caches: caches))
            var expected = 0.0, traffic = 0.0
            var perLevel: [String: Int] = [:]
            for step in plan.steps {
                let bytes = step.counts.bytes
                let level = bytes <= 48 << 10 ? "L1" : bytes <= 2 << 20 ? "L2" : bytes <= 64 << 20 ? "L3" : "DRAM"
                let computeMs = 2 * Double(step.counts.madds) / (peak * 1e6)
                let trafficMs = Double(bytes) / (bandwidths[level]! * 1e6)
                expected += max(computeMs, trafficMs)
                if trafficMs > computeMs { traffic += trafficMs }
                perLevel[level, default: 0] += 1
            }
            XCTAssertEqual(bound.boundMs, expected, accuracy: expected * 1e-9)
            XCTAssertEqual(bound.trafficBoundMs, traffic, accuracy: expected * 1e-9)
            XCTAssertEqual(bound.peakGflops, peak, "the plan's own ISA's peak, not another's")
            for level in bound.levels { XCTAssertEqual(level.steps, perLevel[level.name] ?? 0, level.name) }
            XCTAssertEqual(bound.levels.map(\.steps).reduce(0, +), plan.steps.count)
        }
        // At a huge peak the bound is all traffic; at a tiny one all compute but the steps
        // without multiply-adds (the pool).
        let fast = try XCTUnwrap(Roofline.bound(plan: plan, calibration: calibration(peak: 1e9), caches: caches))
        XCTAssertEqual(fast.computeBoundMs, 0)
        let slow = try XCTUnwrap(Roofline.bound(plan: plan, calibration: calibration(peak: 1e-3), caches: caches))
        XCTAssertLessThan(slow.trafficBoundMs, 1e-6 * slow.boundMs)
        XCTAssertNil(Roofline.bound(plan: plan, calibration: calibration(peak: 50, dram: false), caches: caches),
                     "without a DRAM bandwidth there is no bound")
    }

    /// Chains move less than the same layers run one by one, and the bound sees it.
    func testChainsLowerTheTrafficTheBoundCounts() throws {
        let graph = try ModelSpec(architecture: .mobilenetv2, width: 1.0, alpha: .one, resolution: 224, seed: 1).build()
        let chained = try Planner.plan(graph, options: PlanOptions(isa: try ISASelection.best(), fusion: .auto, l2Bytes: 2 << 20))
        let layered = try Planner.plan(graph, options: PlanOptions(isa: try ISASelection.best(), fusion: .none))
        let total = { (p: Plan) in p.steps.reduce(0) { $0 + $1.counts.bytes } }
        XCTAssertLessThan(total(chained), total(layered))
        let a = try XCTUnwrap(Roofline.bound(plan: chained, calibration: calibration(peak: 1e9), caches: caches))
        let b = try XCTUnwrap(Roofline.bound(plan: layered, calibration: calibration(peak: 1e9), caches: caches))
        XCTAssertLessThan(a.boundMs, b.boundMs)
    }
}
