// A persistent pool for intra-op parallelism: workers are created once with the executor and
// then spin (briefly) or sleep on a futex between steps, so an inference creates no threads
// and allocates nothing. The calling thread runs part 0 of every step itself.
import CSandglassSupport
#if canImport(Glibc)
import Glibc
#endif

/// What the caller and the workers share. Workers hold this, not the pool, so that releasing
/// the pool (the executor) shuts the workers down.
private final class PoolState {
    /// [0] generation, [1] workers still busy with the current step, [2] sleeping workers, [3] shutdown flag.
    let words: UnsafeMutablePointer<UInt32>
    var task: ((Int, Int) -> Void)?
    var taskParts = 0

    init() {
        words = .allocate(capacity: 4)
        words.initialize(repeating: 0, count: 4)
    }

    deinit { words.deallocate() }

    var generation: UnsafeMutablePointer<UInt32> { words }
    var pending: UnsafeMutablePointer<UInt32> { words + 1 }
    var sleepers: UnsafeMutablePointer<UInt32> { words + 2 }
    var shutdown: UnsafeMutablePointer<UInt32> { words + 3 }
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

    /// Runs body(part, parts) for part in 0..<parts, part 0 on the calling thread.
    public func run(parts: Int, _ body: @escaping (Int, Int) -> Void) {
        let parts = min(parts, threadCount)
        if parts <= 1 {
            body(0, 1)
            return
        }
        state.task = body
        state.taskParts = parts
        sg_atomic_store(state.pending, UInt32(threads.count))
        _ = sg_atomic_fetch_add(state.generation, 1)
        if sg_atomic_load(state.sleepers) > 0 { sg_futex_wake_all(state.generation) }
        body(0, parts)
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
            if context.index < parts, let task = state.task { task(context.index, parts) }
            _ = sg_atomic_fetch_add(state.pending, UInt32.max)
        }
    }
}
