// A perf_event group on the calling thread: opened once, enabled once, and read with one
// read() per layer boundary (all its counters and the enabled/running times at once).
import CPfm
#if canImport(Glibc)
import Glibc
#endif

public final class PerfEventGroup {
    /// The events that opened, in read order.
    public let events: [PerfEventSpec]
    /// Events the kernel refused, with the reason.
    public let failures: [PerfOpenFailure]
    private let fds: [Int32]
    /// u64 words one read fills.
    public let words: Int

    private init(events: [PerfEventSpec], fds: [Int32], failures: [PerfOpenFailure]) {
        self.events = events; self.fds = fds; self.failures = failures
        words = GroupReadFormat.words(events: events.count)
    }

    deinit { for fd in fds { close(fd) } }

    /// Opens `specs` as one group on the calling thread (pid 0, any CPU). Events the kernel
    /// refuses are left out and reported in `failures`; the first that opens leads the group.
    /// Returns nil for the group if none opened.
    public static func open(_ specs: [PerfEventSpec], paranoid: Int? = perfEventParanoid(),
                            cpuPMUPresent: Bool = !CPUPerformanceMonitors.list().isEmpty)
        -> (group: PerfEventGroup?, failures: [PerfOpenFailure]) {
        var fds: [Int32] = []
        var opened: [PerfEventSpec] = []
        var failures: [PerfOpenFailure] = []
        for spec in specs {
            var attr = spec.attr(readFormat: GroupReadFormat.readFormat, leader: fds.isEmpty)
            let fd = sg_perf_event_open(&attr, 0, -1, fds.first ?? -1, UInt(PERF_FLAG_FD_CLOEXEC))
            if fd >= 0 {
                fds.append(fd)
                opened.append(spec)
            } else {
                failures.append(PerfOpenFailure.classify(errno: sg_errno(), event: spec.name, isHardware: spec.isHardware,
                                                         paranoid: paranoid, cpuPMUPresent: cpuPMUPresent))
            }
        }
        guard !fds.isEmpty else { return (nil, failures) }
        return (PerfEventGroup(events: opened, fds: fds, failures: failures), failures)
    }

    /// Starts the whole group counting (once per measurement, not per layer).
    public func enable() { _ = sg_perf_enable_group(fds[0]) }
    public func disable() { _ = sg_perf_disable_group(fds[0]) }
    public func reset() { _ = sg_perf_reset_group(fds[0]) }

    /// One read of the group into `words` u64s; false if the kernel returned less (the
    /// group went into an error state, e.g. a pinned group that lost its counters).
    @inline(__always)
    public func read(into buffer: UnsafeMutablePointer<UInt64>) -> Bool {
        let bytes = words * MemoryLayout<UInt64>.size
        return Glibc.read(fds[0], buffer, bytes) == bytes
    }
}
