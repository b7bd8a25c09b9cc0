import Foundation
import SandglassEngine
import SandglassHarness
import XCTest
import SandglassProbes

/// The software backend and the honest unavailability of hardware events, on the real engine.
final class SoftwareCounterTests: XCTestCase {
    /// Every layer gets a non-zero task-clock, and the layers add up to the inferences they were
    /// read in: a second probe reads the same counters around each whole instrumented inference,
    /// so both sides come from one clock over nested intervals, and the check holds on any host
    /// and under any load. (perf's task-clock also runs while the hypervisor holds the vCPU, which
    /// the thread's CPU clock does not count, so comparing it with CLOCK_THREAD_CPUTIME_ID fails on
    /// a host with steal time; comparing with uninstrumented runs measures the instrumentation's
    /// overhead, a benchmark figure from Scripts/measure-overhead.sh, not a property of the code.)
    func testTaskClockPerLayerSumsToEndToEnd() throws {
        let plan = try plannedModel(resolution: 224)
        let executor = Executor(plan: plan)
        let session = CounterSession.open(.software)
        XCTAssertEqual(session.events.prefix(4), ["task-clock", "page-faults", "context-switches", "cpu-migrations"])
        let runs = 30
        let probe = LayerProbe(steps: plan.steps.count, sources: session.sources, expectedRuns: runs)
        let whole = LayerProbe(steps: 1, sources: session.sources, expectedRuns: runs)
        for _ in 0..<5 { executor.run() }
        probe.start()
        for _ in 0..<runs {
            whole.willRunStep(0)
            executor.run(probe: probe)
            whole.didRunStep(0)
        }
        probe.stop()
        var taskClockMs = 0.0, wallMs = 0.0
        for i in plan.steps.indices {
            let reading = try XCTUnwrap(probe.readings(of: i)["task-clock"], plan.steps[i].name)
            XCTAssertEqual(reading.provenance, .measured, plan.steps[i].name)
            let ns = try XCTUnwrap(reading.value, "\(plan.steps[i].name): \(reading)")
            XCTAssertGreaterThan(ns, 0, plan.steps[i].name)
            XCTAssertEqual(probe.runs(of: i), runs)
            taskClockMs += ns / 1e6
            wallMs += probe.meanMilliseconds(of: i)
        }
        // Readings are means per run, so the layers add up to the mean of the same runs.
        let inferenceMs = try XCTUnwrap(whole.readings(of: 0)["task-clock"]?.value) / 1e6
        let inferenceWallMs = whole.meanMilliseconds(of: 0)
        XCTAssertLessThanOrEqual(taskClockMs, inferenceMs * 1.001 + 0.001,
                                 "the layers' task-clock cannot exceed that of the inferences containing them")
        XCTAssertGreaterThanOrEqual(taskClockMs, inferenceMs * 0.9,
                                    "more than 10 % of an inference's task-clock fell outside every layer: steps are missing")
        XCTAssertLessThanOrEqual(wallMs, inferenceWallMs * 1.001 + 0.001,
                                 "the layers' wall time cannot exceed the inferences containing them")
        XCTAssertGreaterThan(wallMs, 0)

        // PerLayerBenchmark interleaves as many plain runs as instrumented ones.
        let counted = LayerProbe(steps: plan.steps.count, sources: session.sources, expectedRuns: 4)
        let m = PerLayerBenchmark(warmup: 1, iterations: 4).measure(executor, probe: counted)
        XCTAssertEqual([m.uninstrumented.count, m.instrumented.count, m.uninstrumentedCPU.count, m.instrumentedCPU.count], [4, 4, 4, 4])
        XCTAssertEqual(counted.runs(of: 0), 4)
        // Context for whoever reads the log: the overhead against plain runs (a benchmark figure,
        // not checked here) and what else ran in this process.
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? -1
        print("note: layers' task-clock \(taskClockMs) ms of \(inferenceMs) ms per instrumented inference; \(threads) threads in this process")
    }

    /// Hardware events on a machine without a PMU: unavailable with the reason, never 0, and the
    /// measurement completes. On a machine with a PMU the same test sees values.
    func testHardwareEventsAreUnavailableWithReasonOrCounted() throws {
        let plan = try plannedModel(width: 0.35, resolution: 64)
        let session = CounterSession.open(.perf(["cycles", "instructions", "task-clock"]))
        let probe = LayerProbe(steps: plan.steps.count, sources: session.sources)
        _ = PerLayerBenchmark(warmup: 1, iterations: 3).measure(Executor(plan: plan), probe: probe)
        let hasPMU = !CPUPerformanceMonitors.list().isEmpty
        for i in plan.steps.indices {
            let readings = probe.readings(of: i)
            XCTAssertEqual(readings.names, ["cycles", "instructions", "task-clock"])
            for name in ["cycles", "instructions"] {
                let r = try XCTUnwrap(readings[name])
                if hasPMU {
                    XCTAssertGreaterThan(r.value ?? 0, 0, "\(name): \(r)")
                } else {
                    XCTAssertNil(r.value, "\(name) must not be reported as a number without a PMU")
                    XCTAssertTrue(r.unavailableReason?.contains("no hardware PMU") == true, "\(r)")
                    XCTAssertTrue(r.unavailableReason?.contains("fix:") == true, "\(r)")
                }
            }
            // The software event in the same request is still counted.
            XCTAssertGreaterThan(readings["task-clock"]?.value ?? 0, 0)
        }
    }

    /// The fallback where perf_event_open is unavailable: thread CPU time and getrusage.
    func testThreadTimeFallbackCountsEveryLayer() throws {
        let plan = try plannedModel(width: 0.5, resolution: 96)
        let probe = LayerProbe(steps: plan.steps.count, sources: [ThreadTimeCounterSource()])
        let executor = Executor(plan: plan)
        for _ in 0..<3 { executor.run(probe: probe) }
        var total = 0.0
        for i in plan.steps.indices {
            let r = probe.readings(of: i)
            XCTAssertEqual(r.names, ThreadTimeCounterSource.events)
            XCTAssertEqual(r["thread-cpu-time"]?.provenance, .measured)
            total += r["thread-cpu-time"]?.value ?? 0
            XCTAssertNotNil(r["minor-faults"]?.value)
        }
        XCTAssertGreaterThan(total, 0)
    }
}
