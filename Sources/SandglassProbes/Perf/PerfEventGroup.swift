// A perf_event group on the calling thread: opened once, enabled once, and read once per layer
// boundary: from user space through each event's mmap page where the PMU allows it (rdpmc,
// PerfUserPage.swift), else with one read() (all its counters and the enabled/running times at
// once). Either way a snapshot has read()'s layout, so nothing downstream knows which it was.
import CPfm
import CSandglassSupport
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
    /// Each event's mmap page (read-only), when every event could be mapped.
    private let pages: [UnsafeRawPointer]
    private let pageBytes: Int
    /// Whether every page offers user-space reads (cap_user_rdpmc and cap_user_time).
    public let offersUserRead: Bool
    /// Snapshots taken from user space, and with read().
    public private(set) var userReads = 0
    public private(set) var systemReads = 0

    private init(events: [PerfEventSpec], fds: [Int32], failures: [PerfOpenFailure]) {
        self.events = events; self.fds = fds; self.failures = failures
        words = GroupReadFormat.words(events: events.count)
        pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))
        var pages: [UnsafeRawPointer] = []
        for fd in fds {
            guard let p = mmap(nil, pageBytes, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else { break }
            pages.append(UnsafeRawPointer(p))
        }
        if pages.count < fds.count {
            for p in pages { munmap(UnsafeMutableRawPointer(mutating: p), pageBytes) }
            pages = []
        }
        self.pages = pages
        offersUserRead = sg_rdpmc_supported() == 1 && !pages.isEmpty
            && pages.allSatisfy { PerfUserPage.offersUserRead(capabilities: PerfUserPage.capabilities($0)) }
    }

    deinit {
        for p in pages { munmap(UnsafeMutableRawPointer(mutating: p), pageBytes) }
        for fd in fds { close(fd) }
    }

    /// Why counters are read the way they are, for reports.
    public var readPathNote: String {
        if offersUserRead {
            return "rdpmc from user space for \(userReads) of \(userReads + systemReads) snapshots (read() when the kernel had the events off their counters)"
        }
        if pages.isEmpty { return "read(): the events' perf pages could not be mapped" }
        return "read(): the perf page offers no user-space read (cap_user_rdpmc is 0: software events, no PMU in this machine, or rdpmc disabled in /sys/bus/event_source/devices/cpu/rdpmc or the kernel's perf_user_access)"
    }

    /// The capabilities word of each event's page (empty when not mapped).
    public var pageCapabilities: [UInt64] { pages.map(PerfUserPage.capabilities) }

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
            // Arm grants user-space counter reads per event (config1 bit 1, "rdpmc" in the
            // PMU's format), and only where the kernel's perf_user_access is 1.
            if armUserAccess && spec.isHardware { attr.config1 |= 2 }
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

    /// Whether this is arm64 with /proc/sys/kernel/perf_user_access set to 1.
    static let armUserAccess: Bool = {
        #if arch(arm64)
        return readTextFile("/proc/sys/kernel/perf_user_access")?.first == "1"
        #else
        return false
        #endif
    }()

    /// Starts the whole group counting (once per measurement, not per layer).
    public func enable() { _ = sg_perf_enable_group(fds[0]) }
    public func disable() { _ = sg_perf_disable_group(fds[0]) }
    public func reset() { _ = sg_perf_reset_group(fds[0]) }

    /// One read of the group into `words` u64s, in read()'s layout (nr, time enabled, time
    /// running, values); false if the kernel returned less (the group went into an error
    /// state, e.g. a pinned group that lost its counters).
    @inline(__always)
    public func read(into buffer: UnsafeMutablePointer<UInt64>) -> Bool {
        if offersUserRead && readFromPages(into: buffer) {
            userReads += 1
            return true
        }
        systemReads += 1
        let bytes = words * MemoryLayout<UInt64>.size
        return Glibc.read(fds[0], buffer, bytes) == bytes
    }

    /// The same from the pages: false (nothing to trust) if any event is off its counter.
    @inline(__always)
    private func readFromPages(into buffer: UnsafeMutablePointer<UInt64>) -> Bool {
        for (i, page) in pages.enumerated() {
            guard let r = PerfUserPage.read(page) else { return false }
            if i == 0 {
                buffer[0] = UInt64(pages.count); buffer[1] = r.enabled; buffer[2] = r.running
            }
            buffer[3 + i] = r.count
        }
        return true
    }
}
