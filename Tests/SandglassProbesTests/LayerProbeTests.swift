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

    /// Without counters between them, consecutive steps share one clock read: each step starts
    /// exactly where the one before it ended, and a step run on its own reads the clock afresh.
    func testConsecutiveStepsShareAClockRead() throws {
        let probe = LayerProbe(steps: 4, recordsTimeline: true)
        for i in 0..<4 {
            probe.willRunStep(i)
            probe.didRunStep(i)
        }
        for i in 1..<4 {
            let previous = try XCTUnwrap(probe.timeline(of: i - 1).first)
            let this = try XCTUnwrap(probe.timeline(of: i).first)
            XCTAssertEqual(this.start, previous.start + previous.duration, "step \(i) starts where step \(i - 1) ended")
        }
        // Step 2 again, on its own, after a pause: not stitched to step 3's end.
        let end3 = try XCTUnwrap(probe.timeline(of: 3).first.map { $0.start + $0.duration })
        var spin = 0
        let t0 = MonotonicClock.nanoseconds()
        while MonotonicClock.nanoseconds() - t0 < 200_000 { spin += 1 }
        probe.willRunStep(2)
        probe.didRunStep(2)
        let again = try XCTUnwrap(probe.timeline(of: 2).last)
        XCTAssertGreaterThanOrEqual(again.start, end3 + 200_000, "a fresh clock read after \(spin) spins")
        XCTAssertLessThan(again.duration, 200_000)
    }

    /// More runs than reserved: every duration is kept, in order.
    func testKeepsEveryRunBeyondTheReservedCapacity() {
        let probe = LayerProbe(steps: 3, expectedRuns: 2)
        for _ in 0..<9 {
            for i in 0..<3 {
                probe.willRunStep(i)
                probe.didRunStep(i)
            }
        }
        for i in 0..<3 {
            XCTAssertEqual(probe.runs(of: i), 9)
            XCTAssertEqual(probe.durations(of: i).count, 9)
            XCTAssertEqual(probe.meanMilliseconds(of: i) * 9 * 1e6, Double(probe.durations(of: i).reduce(0, +)), accuracy: 1)
        }
    }
}

/// Rotating instrumentation: each run reads the counters around a window of consecutive steps,
/// the window moves on every run, and over the runs every step collects its samples.
final class RotatingWindowTests: XCTestCase {
    func run(_ probe: LayerProbe, steps: Int) {
        for i in 0..<steps {
            probe.willRunStep(i)
            probe.didRunStep(i)
        }
    }

    func testEveryStepIsSampledInTurnAtWindowPlusOneSnapshotsPerRun() {
        let counter = SnapshotCounter()
        let probe = LayerProbe(steps: 10, sources: [counter])
        probe.window = 4
        probe.start()
        for _ in 0..<10 { run(probe, steps: 10) }
        probe.stop()
        // 10 runs × 4 steps = 40 samples, 4 per step; a window that wraps past the last step is
        // two runs of consecutive steps, so it costs one snapshot more.
        XCTAssertEqual((0..<10).map { probe.counterSamples(of: $0) }, Array(repeating: 4, count: 10))
        let wrapping = (0..<10).filter { start in start * 4 % 10 > 6 }.count
        XCTAssertEqual(counter.snapshots, UInt64(10 * 5 + wrapping))
        // Every sampled step's delta still spans exactly one snapshot interval.
        for i in 0..<10 {
            guard case let .value(v, _, _)? = probe.readings(of: i)["snapshots"] else { return XCTFail("step \(i) unread") }
            XCTAssertEqual(v, 1, "step \(i)")
        }
        // Every step is timed in every run.
        XCTAssertEqual((0..<10).map { probe.runs(of: $0) }, Array(repeating: 10, count: 10))
    }

    func testAStepNoRunSampledSaysSoInsteadOfZero() {
        let probe = LayerProbe(steps: 10, sources: [SnapshotCounter()])
        probe.window = 3
        probe.start()
        run(probe, steps: 10)
        probe.stop()
        XCTAssertEqual((0..<10).map { probe.counterSamples(of: $0) }, [1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
        guard case let .unavailable(reason)? = probe.readings(of: 5)["snapshots"] else { return XCTFail("a zero for an unsampled step") }
        XCTAssertTrue(reason.hasPrefix("not sampled"), reason)
    }

    func testTheWindowKeepsSnapshotsWithinTheBudgetAndEveryStepCovered() {
        // 77 steps, 1.5 µs per snapshot, 15 ms per inference: 0.3% is 45 µs = 30 snapshots.
        XCTAssertEqual(LayerProbe.window(steps: 77, runs: 1000, snapshotNanoseconds: 1500, inferenceMs: 15), 29)
        XCTAssertEqual(LayerProbe.window(steps: 77, runs: 1000, snapshotNanoseconds: 50, inferenceMs: 15), 77, "cheap reads: every step")
        XCTAssertEqual(LayerProbe.window(steps: 77, runs: 1000, snapshotNanoseconds: 100_000, inferenceMs: 1), 2,
                       "dear reads: as narrow as 20 samples per step allow (77 × 20 / 1000)")
        XCTAssertEqual(LayerProbe.window(steps: 77, runs: 100, snapshotNanoseconds: 100_000, inferenceMs: 1), 16, "⌈77 × 20 / 100⌉")
        XCTAssertEqual(LayerProbe.window(steps: 77, runs: 3, snapshotNanoseconds: 100_000, inferenceMs: 1), 77,
                       "fewer runs than samples wanted: every step of every run")
        XCTAssertEqual(LayerProbe.window(steps: 77, runs: 100, snapshotNanoseconds: 0, inferenceMs: 15), 77)
    }
}
