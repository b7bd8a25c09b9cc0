// A persistent pool for intra-op parallelism: workers are created once with the executor and
// then spin (briefly) or sleep on a futex between steps, so an inference creates no threads
// and allocates nothing. The calling thread runs part 0 of every step itself. A step split into
// more parts than threads is shared out dynamically: each thread takes the next part from an
// atomic counter, so a thread whose CPU was taken away (a shared VM's steal time, another
// process) leaves its remaining parts to the others instead of holding up the step.
import CSandglassSupport
#if canImport(Glibc)
import Glibc
#endif

/// What the caller and the workers share. Workers hold this, not the pool, so that releasing
/// the pool (the executor) shuts the workers down.
private final class PoolState {
    /// [0] generation, [1] workers still busy with the current step, [2] sleeping workers,
    /// [3] shutdown flag, [4] the next part to take (dynamic steps).
    let words: UnsafeMutablePointer<UInt32>
    var task: ((Int, Int) -> Void)?
    var taskParts = 0
    var dynamic = false

    init() {
        words = .allocate(capacity: 5)
        words.initialize(repeating: 0, count: 5)
    }

    deinit { words.deallocate() }

    var generation: UnsafeMutablePointer<UInt32> { words }
    var pending: UnsafeMutablePointer<UInt32> { words + 1 }
    var sleepers: UnsafeMutablePointer<UInt32> { words + 2 }
    var shutdown: UnsafeMutablePointer<UInt32> { words + 3 }
    var next: UnsafeMutablePointer<UInt32> { words + 4 }

    /// Runs parts from the shared counter until none is left.
    @inline(__always)
    func takeParts(_ task: (Int, Int) -> Void, parts: Int) {
        while true {
            let part = Int(sg_atomic_fetch_add(next, 1))
            if part >= parts { return }
            task(part, parts)
        }
    }
}

private final class WorkerContext {
    let state: PoolState
    let index: Int
    let cpu: Int?
    init(state: PoolState, index: Int, cpu: Int?) { self.state = state; self.index = index; self.cpu = cpu }
}

/// Spin iterations (each a pause instruction) before a worker sleeps: about a millisecond.
private let spinLimit = 1 << 15

public final class ThreadPool {
    public let threadCount: Int
    private let state = PoolState()
    private var threads: [pthread_t] = []

    /// - Parameter pinning: optional CPU per thread (index 0 is the caller, not pinned here).
    public init(threads count: Int, pinning: [Int]? = nil) {
        for index in 1..<max(count, 1) {
            let cpu = pinning.flatMap { index < $0.count ? $0[index] : nil }
            let context = WorkerContext(state: state, index: index, cpu: cpu)
            var tid = pthread_t()
            let result = pthread_create(&tid, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                ThreadPool.workerLoop(context)
                return nil
            }, Unmanaged.passRetained(context).toOpaque())
            if result == 0 { threads.append(tid) } else { Unmanaged.passUnretained(context).release() }
        }
        threadCount = threads.count + 1
    }

    deinit {
        sg_atomic_store(state.shutdown, 1)
        _ = sg_atomic_fetch_add(state.generation, 1)
        sg_futex_wake_all(state.generation)
        for t in threads { pthread_join(t, nil) }
    }

    /// Runs body(part, parts) for part in 0..<parts, part 0 on the calling thread. Static: part i
    /// runs on thread i (at most one part per thread), as calibration needs. Dynamic: up to
    /// `parts` parts, taken by whichever thread is free.
    public func run(parts requested: Int, dynamic: Bool = false, _ body: @escaping (Int, Int) -> Void) {
        let parts = dynamic ? requested : min(requested, threadCount)
        if parts <= 1 {
            body(0, 1)
            return
        }
        state.task = body
        state.taskParts = parts
        state.dynamic = dynamic
        sg_atomic_store(state.next, 0)
        sg_atomic_store(state.pending, UInt32(threads.count))
        _ = sg_atomic_fetch_add(state.generation, 1)
        if sg_atomic_load(state.sleepers) > 0 { sg_futex_wake_all(state.generation) }
        if dynamic { state.takeParts(body, parts: parts) } else { body(0, parts) }
        while sg_atomic_load(state.pending) != 0 { sg_cpu_relax() }
        state.task = nil
    }

    private static func workerLoop(_ context: WorkerContext) {
        let state = context.state
        if let cpu = context.cpu { _ = sg_pin_thread_to_cpu(Int32(cpu)) }
        // Generations start at 0 and only run() advances them, so a step posted before this
        // thread got here is still seen.
        var seen: UInt32 = 0
        while true {
            var spins = 0
            while sg_atomic_load(state.generation) == seen {
                if spins < spinLimit {
                    sg_cpu_relax()
                    spins += 1
                } else {
                    _ = sg_atomic_fetch_add(state.sleepers, 1)
                    sg_futex_wait(state.generation, seen)
                    _ = sg_atomic_fetch_add(state.sleepers, UInt32.max)
                }
            }
            seen = sg_atomic_load(state.generation)
            if sg_atomic_load(state.shutdown) != 0 { return }
            let parts = state.taskParts
            if let task = state.task {
                if state.dynamic { state.takeParts(task, parts: parts) }
                else if context.index < parts { task(context.index, parts) }
            }
            _ = sg_atomic_fetch_add(state.pending, UInt32.max)
        }
    }
}
