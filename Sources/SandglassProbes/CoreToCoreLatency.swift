// Core-to-core latency: two threads pinned to two CPUs bounce a cache line back and forth.
// On shared, virtualised hosts where the hypervisor places two vCPUs decides 2-thread
// results (about 45 ns or 200 ns one way here), so multi-threaded points record it.
import CSandglassSupport
#if canImport(Glibc)
import Glibc
#endif

public enum CoreToCoreLatency {
    /// Median one-way latency in nanoseconds between `a` and `b` over `batches` batches of
    /// `roundTrips` round trips, or nil when a thread cannot be pinned there.
    public static func measure(between a: Int, and b: Int, roundTrips: Int = 2000, batches: Int = 7) -> Double? {
        final class Shared {
            let flag = UnsafeMutablePointer<UInt32>.allocate(capacity: 16)
            var roundTrips = 0
            var batches = 0
            var cpu = 0
            var pinned = true
            init() { flag.initialize(repeating: 0, count: 16) }
            deinit { flag.deallocate() }
        }
        let shared = Shared()
        shared.roundTrips = roundTrips
        shared.batches = batches
        shared.cpu = b
        var tid = pthread_t()
        let started = pthread_create(&tid, nil, { raw in
            let shared = Unmanaged<Shared>.fromOpaque(raw!).takeUnretainedValue()
            if sg_pin_thread_to_cpu(Int32(shared.cpu)) != 0 { shared.pinned = false }
            // Answer each odd value with the next even one, for every batch.
            let total = UInt32(shared.roundTrips * shared.batches)
            var expected: UInt32 = 1
            for _ in 0..<total {
                while sg_atomic_load(shared.flag) != expected { sg_cpu_relax() }
                sg_atomic_store(shared.flag, expected + 1)
                expected += 2
            }
            return nil
        }, Unmanaged.passUnretained(shared).toOpaque())
        guard started == 0 else { return nil }
        let previous = CPUAffinity.current()
        let pinnedHere = sg_pin_thread_to_cpu(Int32(a)) == 0
        var perBatch: [Double] = []
        var value: UInt32 = 0
        for _ in 0..<batches {
            let t0 = MonotonicClock.nanoseconds()
            for _ in 0..<roundTrips {
                value += 1
                sg_atomic_store(shared.flag, value)
                value += 1
                while sg_atomic_load(shared.flag) != value { sg_cpu_relax() }
            }
            let t1 = MonotonicClock.nanoseconds()
            perBatch.append(Double(t1 - t0) / Double(2 * roundTrips))
        }
        pthread_join(tid, nil)
        previous.apply()
        guard pinnedHere, shared.pinned else { return nil }
        perBatch.sort()
        return perBatch[perBatch.count / 2]
    }
}
