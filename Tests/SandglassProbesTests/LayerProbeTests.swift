import SandglassEngine
import XCTest
import SandglassProbes

/// A source whose single counter is the number of snapshots taken so far: it shows how often
/// the probe reads and which boundaries each step's delta spans.
private final class SnapshotCounter: CounterSource {
    var snapshots: UInt64 = 0
    var started = 0, stopped = 0
    let eventNames = ["snapshots"]
    let snapshotWords = 1
    func start() { started += 1 }
    func stop() { stopped += 1 }
    func snapshot(into words: UnsafeMutablePointer<UInt64>) {
        snapshots += 1
        words[0] = snapshots
    }
    func readings(deltaSums: UnsafePointer<UInt64>, occurrences: Int) -> CounterReadings {
        var r = CounterReadings()
        r["snapshots"] = .value(Double(deltaSums[0]) / Double(occurrences), .measured)
        return r
    }
}

final class LayerProbeTests: XCTestCase {
    /// Consecutive steps share a boundary: steps + 1 snapshots per run, and every step's delta
    /// spans exactly one snapshot interval, also across runs with other work in between.
    func testOneSnapshotPerBoundary() throws {
        let plan = try plannedModel(width: 0.35, resolution: 64)
        let counter = SnapshotCounter()
        let probe = LayerProbe(steps: plan.steps.count, sources: [counter])
        let executor = Executor(plan: plan)
        probe.start()
        for _ in 0..<3 {
            executor.run(probe: probe)
            executor.run()
        }
        probe.stop()
        XCTAssertEqual(counter.snapshots, UInt64(3 * (plan.steps.count + 1)))
        XCTAssertEqual(counter.started, 1)
        XCTAssertEqual(counter.stopped, 1)
        for i in plan.steps.indices {
            XCTAssertEqual(probe.readings(of: i)["snapshots"], .value(1, .measured), plan.steps[i].name)
            XCTAssertEqual(probe.runs(of: i), 3)
            XCTAssertGreaterThan(probe.medianMilliseconds(of: i), 0)
            XCTAssertGreaterThan(probe.meanMilliseconds(of: i), 0)
        }
    }

    /// A step run on its own (not after its predecessor) takes a fresh opening snapshot.
    func testIsolatedStepTakesItsOwnBoundary() throws {
        let plan = try plannedModel(width: 0.35, resolution: 64)
        let counter = SnapshotCounter()
        let probe = LayerProbe(steps: plan.steps.count, sources: [counter])
        let executor = Executor(plan: plan)
        executor.run()
        for index in [5, 2, 3] {
            probe.willRunStep(index)
            executor.runStep(at: index)
            probe.didRunStep(index)
        }
        // 5 and 2 open fresh; 3 follows 2 and reuses its closing snapshot.
        XCTAssertEqual(counter.snapshots, 5)
        for index in [5, 2, 3] { XCTAssertEqual(probe.readings(of: index)["snapshots"], .value(1, .measured)) }
    }
}
