// Reading a perf counter from user space through its mmap page (struct perf_event_mmap_page in
// <linux/perf_event.h>), as likwid and PAPI do: no system call, a few tens of nanoseconds where
// the PMU allows it, against ~1-5 us for a read() in a VM. The kernel publishes, under a
// sequence lock, which hardware counter holds the event (`index`, 0 when none: software
// events, or the event is not on a counter right now), the value to add to it (`offset`), the
// counter's width, and how to extend the enabled/running times from the CPU's tick counter.
// A reader takes the lock word, reads the fields and the counter, and starts over if the lock
// moved meanwhile (the kernel rescheduled or reprogrammed the counter under it).
//
// The sequence logic lives here, free of the instructions, so that tests can drive it with a
// page in ordinary memory; PerfEventGroup passes the real rdpmc and tick counter.
import CSandglassSupport

/// One consistent reading of a counter from its page.
public struct PerfUserReading: Equatable {
    public var count: UInt64
    public var enabled: UInt64
    public var running: UInt64
}

public enum PerfUserPage {
    /// Byte offsets of the fields used (checked against the C struct in the tests).
    public enum Offset {
        public static let lock = 8, index = 12, offset = 16, timeEnabled = 24, timeRunning = 32
        public static let capabilities = 40, pmcWidth = 48, timeShift = 50, timeMult = 52, timeOffset = 56
        public static let timeCycles = 80, timeMask = 88
    }

    /// Capability bits of the `capabilities` word.
    public enum Capability {
        public static let userRdpmc: UInt64 = 1 << 2
        public static let userTime: UInt64 = 1 << 3
        public static let userTimeShort: UInt64 = 1 << 5
    }

    /// Whether a page with these capabilities can be read without read(): the counter itself
    /// (cap_user_rdpmc) and the times that say whether it was multiplexed (cap_user_time).
    public static func offersUserRead(capabilities: UInt64) -> Bool {
        capabilities & Capability.userRdpmc != 0 && capabilities & Capability.userTime != 0
    }

    /// The capabilities word of a mapped page.
    public static func capabilities(_ page: UnsafeRawPointer) -> UInt64 {
        page.load(fromByteOffset: Offset.capabilities, as: UInt64.self)
    }

    /// The hardware counter value `pmc`, `width` bits wide, as a signed delta (the kernel
    /// keeps counters' upper bits in `offset`, so the low bits may read as a negative number).
    @inline(__always)
    public static func signExtend(_ pmc: UInt64, width: UInt16) -> Int64 {
        guard width > 0 && width < 64 else { return Int64(bitPattern: pmc) }
        let shift = UInt64(64 - width)
        return Int64(bitPattern: pmc << shift) >> shift
    }

    /// Nanoseconds since the page's times were stamped, from tick count `cycles`:
    /// time_offset + cycles × time_mult / 2^time_shift, computed the kernel's way (quotient and
    /// remainder, so the product cannot overflow); with cap_user_time_short the tick count is
    /// first brought into the window the kernel uses (time_cycles, time_mask).
    @inline(__always)
    public static func timeDelta(cycles: UInt64, shift: UInt16, mult: UInt32, offset: UInt64,
                                 short: (cycles: UInt64, mask: UInt64)? = nil) -> UInt64 {
        var cyc = cycles
        if let short { cyc = short.cycles &+ ((cyc &- short.cycles) & short.mask) }
        let s = UInt64(min(shift, 63))
        let quot = cyc >> s
        let rem = cyc & ((1 << s) - 1)
        let m = UInt64(mult)
        return offset &+ quot &* m &+ ((rem &* m) >> s)
    }

    /// Reads the counter of `page` without a system call: nil when the page says the event is
    /// not on a hardware counter now (index 0) or offers no user read, or when the lock kept
    /// moving for `maxAttempts` tries; then read() instead. `rdpmc` reads hardware counter
    /// index - 1; `ticks` is the tick counter the kernel's time fields are based on.
    @inline(__always)
    public static func read(_ page: UnsafeRawPointer, maxAttempts: Int = 8,
                            rdpmc: (UInt32) -> UInt64 = { sg_rdpmc($0) },
                            ticks: () -> UInt64 = { sg_ticks() }) -> PerfUserReading? {
        let lockWord = UnsafeMutableRawPointer(mutating: page + Offset.lock).assumingMemoryBound(to: UInt32.self)
        for _ in 0..<maxAttempts {
            // An atomic load: the compiler may neither reuse an older value nor move the field
            // loads above it.
            let sequence = sg_atomic_load(lockWord)
            let capabilities = page.load(fromByteOffset: Offset.capabilities, as: UInt64.self)
            let index = page.load(fromByteOffset: Offset.index, as: UInt32.self)
            let usable = offersUserRead(capabilities: capabilities) && index != 0
            var reading = PerfUserReading(count: 0, enabled: 0, running: 0)
            if usable {
                let offset = page.load(fromByteOffset: Offset.offset, as: Int64.self)
                let width = page.load(fromByteOffset: Offset.pmcWidth, as: UInt16.self)
                let pmc = rdpmc(index - 1)
                let cycles = ticks()
                let shift = page.load(fromByteOffset: Offset.timeShift, as: UInt16.self)
                let mult = page.load(fromByteOffset: Offset.timeMult, as: UInt32.self)
                let timeOffset = page.load(fromByteOffset: Offset.timeOffset, as: UInt64.self)
                let short: (cycles: UInt64, mask: UInt64)? = capabilities & Capability.userTimeShort != 0
                    ? (page.load(fromByteOffset: Offset.timeCycles, as: UInt64.self),
                       page.load(fromByteOffset: Offset.timeMask, as: UInt64.self))
                    : nil
                let delta = timeDelta(cycles: cycles, shift: shift, mult: mult, offset: timeOffset, short: short)
                reading.count = UInt64(bitPattern: offset &+ signExtend(pmc, width: width))
                reading.enabled = page.load(fromByteOffset: Offset.timeEnabled, as: UInt64.self) &+ delta
                reading.running = page.load(fromByteOffset: Offset.timeRunning, as: UInt64.self) &+ delta
            }
            // Unchanged lock (and even: odd means the kernel is mid-update): the fields belong
            // together.
            if sg_atomic_load(lockWord) == sequence && sequence & 1 == 0 {
                return usable ? reading : nil
            }
        }
        return nil
    }
}
