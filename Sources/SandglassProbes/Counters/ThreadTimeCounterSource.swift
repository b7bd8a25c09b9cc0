// The fallback where perf_event_open is unavailable altogether (ENOSYS under qemu-user or a
// seccomp filter, EACCES from perf_event_paranoid): the calling thread's CPU time from
// CLOCK_THREAD_CPUTIME_ID and its page faults and context switches from getrusage(RUSAGE_THREAD).
// Two system calls per boundary; the values are measured, with coarser semantics than perf's.
#if canImport(Glibc)
import Glibc
#endif

public final class ThreadTimeCounterSource: CounterSource {
    public static let events = ["thread-cpu-time", "minor-faults", "major-faults",
                                "voluntary-context-switches", "involuntary-context-switches"]

    public let eventNames = ThreadTimeCounterSource.events
    public let snapshotWords = 5

    public init() {}

    public func start() {}
    public func stop() {}

    @inline(__always)
    public func snapshot(into words: UnsafeMutablePointer<UInt64>) {
        words[0] = MonotonicClock.threadCPUNanoseconds()
        var usage = rusage()
        // RUSAGE_THREAD (1) is a GNU extension that Swift's Glibc module does not export.
        if getrusage(__rusage_who_t(1), &usage) == 0 {
            words[1] = UInt64(usage.ru_minflt)
            words[2] = UInt64(usage.ru_majflt)
            words[3] = UInt64(usage.ru_nvcsw)
            words[4] = UInt64(usage.ru_nivcsw)
        }
    }

    public func readings(deltaSums: UnsafePointer<UInt64>, occurrences: Int) -> CounterReadings {
        var result = CounterReadings()
        let n = Double(max(occurrences, 1))
        for (i, name) in eventNames.enumerated() { result[name] = .value(Double(deltaSums[i]) / n, .measured) }
        return result
    }
}
