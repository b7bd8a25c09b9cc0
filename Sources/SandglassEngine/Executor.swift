// Runs a plan: every step in order, split across the persistent thread pool when there is
// more than one thread. `run()` is the uninstrumented path; `run(probe:)` brackets each step
// with the probe's callbacks (timers, counter groups) for per-layer measurements.

/// Called around every step of an instrumented run.
public protocol ExecutionProbe: AnyObject {
    func willRunStep(_ index: Int)
    func didRunStep(_ index: Int)
}

public final class Executor {
    public let plan: Plan
    private let pool: ThreadPool?

    /// - Parameter pinning: optional CPU per thread for the worker threads (index 0 = caller).
    public init(plan: Plan, pinning: [Int]? = nil) {
        self.plan = plan
        pool = plan.options.threads > 1 ? ThreadPool(threads: plan.options.threads, pinning: pinning) : nil
    }

    public var threads: Int { plan.options.threads }

    @inline(__always)
    private func runStep(_ step: PlanStep) {
        if let pool, step.parallelism > 1 {
            let partsPerThread = plan.options.partsPerThread
            pool.run(parts: min(step.parallelism, pool.threadCount * partsPerThread), dynamic: partsPerThread > 1, step.run)
        } else {
            step.run(0, 1)
        }
    }

    /// One inference.
    public func run() {
        for step in plan.steps { runStep(step) }
    }

    /// One inference with the probe called before and after every step.
    public func run(probe: ExecutionProbe) {
        for (index, step) in plan.steps.enumerated() {
            probe.willRunStep(index)
            runStep(step)
            probe.didRunStep(index)
        }
    }

    /// Runs only step `index` (micro-benchmarks of one layer in place).
    public func runStep(at index: Int) { runStep(plan.steps[index]) }
}
