// One event ready for perf_event_open: the attr fields that matter, independent of how the
// name was resolved (libpfm4 for PMU events, constants for the kernel's software events).
import CPfm

public struct PerfEventSpec: Equatable, Sendable {
    /// The name the user asked for ("cycles", "LONGEST_LAT_CACHE:MISS", "task-clock").
    public var name: String
    /// libpfm4's fully qualified name, or the kernel's for software events.
    public var canonicalName: String
    /// The libpfm4 PMU that encoded it ("perf", "skl", "arm_ac76"…).
    public var pmu: String
    public var type: UInt32
    public var config: UInt64
    public var config1: UInt64 = 0
    public var config2: UInt64 = 0
    /// Counts in kernel mode too (needed for context switches and migrations).
    public var includeKernel: Bool = false

    public init(name: String, canonicalName: String, pmu: String, type: UInt32, config: UInt64,
                config1: UInt64 = 0, config2: UInt64 = 0, includeKernel: Bool = false) {
        self.name = name; self.canonicalName = canonicalName; self.pmu = pmu; self.type = type
        self.config = config; self.config1 = config1; self.config2 = config2; self.includeKernel = includeKernel
    }

    /// A PMU event (anything but the kernel's software and tracepoint events).
    public var isHardware: Bool {
        type != PERF_TYPE_SOFTWARE.rawValue && type != PERF_TYPE_TRACEPOINT.rawValue
    }

    /// The kernel's software events by their perf names.
    public static func software(_ name: String) -> PerfEventSpec? {
        let ids: [String: perf_sw_ids] = [
            "task-clock": PERF_COUNT_SW_TASK_CLOCK, "cpu-clock": PERF_COUNT_SW_CPU_CLOCK,
            "page-faults": PERF_COUNT_SW_PAGE_FAULTS, "minor-faults": PERF_COUNT_SW_PAGE_FAULTS_MIN,
            "major-faults": PERF_COUNT_SW_PAGE_FAULTS_MAJ, "context-switches": PERF_COUNT_SW_CONTEXT_SWITCHES,
            "cpu-migrations": PERF_COUNT_SW_CPU_MIGRATIONS,
        ]
        guard let id = ids[name] else { return nil }
        return PerfEventSpec(name: name, canonicalName: name, pmu: "software",
                             type: PERF_TYPE_SOFTWARE.rawValue, config: UInt64(id.rawValue))
    }

    /// Software events that the kernel only counts in kernel context: with exclude_kernel=1
    /// they read 0, so they must not be reported then.
    public var countsOnlyInKernel: Bool {
        type == PERF_TYPE_SOFTWARE.rawValue
            && (config == UInt64(PERF_COUNT_SW_CONTEXT_SWITCHES.rawValue)
                || config == UInt64(PERF_COUNT_SW_CPU_MIGRATIONS.rawValue))
    }

    /// The same event aimed at one CPU PMU of a heterogeneous system: libpfm4 encodes Arm
    /// events as PERF_TYPE_RAW and generic ones as PERF_TYPE_HARDWARE, which the kernel would
    /// give to whichever PMU it likes; the PMU's own type (raw) or the extended type in the
    /// upper config bits (generic; Linux 5.18+ on hybrids) makes it count on the pinned kind.
    public func targeting(pmuType: UInt32) -> PerfEventSpec {
        var copy = self
        if type == PERF_TYPE_RAW.rawValue {
            copy.type = pmuType
        } else if type == PERF_TYPE_HARDWARE.rawValue || type == PERF_TYPE_HW_CACHE.rawValue {
            copy.config = (config & 0xFFFF_FFFF) | (UInt64(pmuType) << 32)
        }
        return copy
    }

    /// The attr for perf_event_open, with `readFormat` and leader/member settings.
    public func attr(readFormat: UInt64, leader: Bool) -> perf_event_attr {
        var a = perf_event_attr()
        // libpfm4 leaves size at 0; the kernel needs the size of the struct we pass, which is
        // larger on newer headers (128 bytes in libpfm 4.13, 136 in trixie's).
        a.size = UInt32(MemoryLayout<perf_event_attr>.size)
        a.type = type
        a.config = config
        a.config1 = config1
        a.config2 = config2
        a.read_format = readFormat
        // The leader starts disabled and enables the group with one ioctl; members follow it.
        a.disabled = leader ? 1 : 0
        a.exclude_kernel = includeKernel ? 0 : 1
        a.exclude_hv = 1
        return a
    }
}
