import CPfm
import XCTest
import SandglassProbes

/// The user-space counter read (rdpmc through the perf mmap page): its sequence-lock logic on
/// pages in ordinary memory, driven by stand-in counters, and the real page of a software event
/// on this machine, which must send snapshots to read().
final class PerfUserPageTests: XCTestCase {
    /// A page in ordinary memory, laid out like struct perf_event_mmap_page.
    final class FakePage {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        init() { raw.initializeMemory(as: UInt8.self, repeating: 0, count: 4096) }
        deinit { raw.deallocate() }
        func set<T>(_ offset: Int, _ value: T) { raw.storeBytes(of: value, toByteOffset: offset, as: T.self) }
        func get<T>(_ offset: Int, as: T.Type) -> T { raw.load(fromByteOffset: offset, as: T.self) }
        var page: UnsafeRawPointer { UnsafeRawPointer(raw) }

        /// A counter on hardware counter `index` - 1, with user reads and user time offered.
        static func counting(index: UInt32, offset: Int64, width: UInt16 = 48, enabled: UInt64 = 1_000,
                             running: UInt64 = 1_000, shift: UInt16 = 10, mult: UInt32 = 3_000,
                             timeOffset: UInt64 = 0) -> FakePage {
            let p = FakePage()
            p.set(PerfUserPage.Offset.lock, UInt32(2))
            p.set(PerfUserPage.Offset.index, index)
            p.set(PerfUserPage.Offset.offset, offset)
            p.set(PerfUserPage.Offset.timeEnabled, enabled)
            p.set(PerfUserPage.Offset.timeRunning, running)
            p.set(PerfUserPage.Offset.capabilities, PerfUserPage.Capability.userRdpmc | PerfUserPage.Capability.userTime)
            p.set(PerfUserPage.Offset.pmcWidth, width)
            p.set(PerfUserPage.Offset.timeShift, shift)
            p.set(PerfUserPage.Offset.timeMult, mult)
            p.set(PerfUserPage.Offset.timeOffset, timeOffset)
            return p
        }
    }

    /// Our offsets are the C struct's (libpfm's copy of <linux/perf_event.h>).
    func testOffsetsMatchTheKernelStruct() throws {
        typealias Page = perf_event_mmap_page
        let expected: [(Int?, Int, String)] = [
            (MemoryLayout<Page>.offset(of: \Page.lock), PerfUserPage.Offset.lock, "lock"),
            (MemoryLayout<Page>.offset(of: \Page.index), PerfUserPage.Offset.index, "index"),
            (MemoryLayout<Page>.offset(of: \Page.offset), PerfUserPage.Offset.offset, "offset"),
            (MemoryLayout<Page>.offset(of: \Page.time_enabled), PerfUserPage.Offset.timeEnabled, "time_enabled"),
            (MemoryLayout<Page>.offset(of: \Page.time_running), PerfUserPage.Offset.timeRunning, "time_running"),
            (MemoryLayout<Page>.offset(of: \Page.pmc_width), PerfUserPage.Offset.pmcWidth, "pmc_width"),
            (MemoryLayout<Page>.offset(of: \Page.time_shift), PerfUserPage.Offset.timeShift, "time_shift"),
            (MemoryLayout<Page>.offset(of: \Page.time_mult), PerfUserPage.Offset.timeMult, "time_mult"),
            (MemoryLayout<Page>.offset(of: \Page.time_offset), PerfUserPage.Offset.timeOffset, "time_offset"),
            (MemoryLayout<Page>.offset(of: \Page.time_cycles), PerfUserPage.Offset.timeCycles, "time_cycles"),
            (MemoryLayout<Page>.offset(of: \Page.time_mask), PerfUserPage.Offset.timeMask, "time_mask"),
        ]
        for (c, ours, name) in expected { XCTAssertEqual(c, ours, name) }
        // The capabilities union sits right before pmc_width.
        XCTAssertEqual(PerfUserPage.Offset.capabilities + 8, PerfUserPage.Offset.pmcWidth)
    }

    func testSignExtensionOfNarrowCounters() {
        // A 48-bit counter whose top bit is set is a negative delta from `offset`.
        XCTAssertEqual(PerfUserPage.signExtend(0xFFFF_FFFF_FFF0, width: 48), -16)
        XCTAssertEqual(PerfUserPage.signExtend(0x7FFF_FFFF_FFFF, width: 48), 0x7FFF_FFFF_FFFF)
        XCTAssertEqual(PerfUserPage.signExtend(0xFFFF_FFFF, width: 32), -1)
        XCTAssertEqual(PerfUserPage.signExtend(12_345, width: 64), 12_345)
        // Bits above the width are the kernel's, not the counter's.
        XCTAssertEqual(PerfUserPage.signExtend(0xABCD_0000_0000_0005, width: 48), 5)
    }

    /// The kernel's quotient/remainder form equals cycles × mult / 2^shift exactly (checked
    /// with a full-width product), without overflowing where the plain product would.
    func testTimeExtensionMatchesTheExactProduct() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let cycles = UInt64.random(in: 0...(1 << 60), using: &rng)
            let shift = UInt16.random(in: 1...31, using: &rng)
            let mult = UInt32.random(in: 1...UInt32.max, using: &rng)
            let offset = UInt64.random(in: 0...(1 << 40), using: &rng)
            let full = cycles.multipliedFullWidth(by: UInt64(mult))
            // (high:low) >> shift, kept to 64 bits.
            let exact = (full.low >> UInt64(shift)) | (full.high << (64 - UInt64(shift)))
            XCTAssertEqual(PerfUserPage.timeDelta(cycles: cycles, shift: shift, mult: mult, offset: offset), offset &+ exact,
                           "cycles \(cycles) shift \(shift) mult \(mult)")
        }
        // cap_user_time_short: the tick count is first wrapped into the kernel's window.
        let short = PerfUserPage.timeDelta(cycles: 0x1_0000_0010, shift: 0, mult: 1, offset: 0,
                                           short: (cycles: 0x0_0000_0008, mask: 0xFFFF_FFFF))
        XCTAssertEqual(short, 0x10, "8 + ((0x1_0000_0010 - 8) & 0xFFFF_FFFF)")
    }

    func testReadsCounterAndExtendsTimes() throws {
        let page = FakePage.counting(index: 3, offset: 1_000_000, enabled: 5_000, running: 4_000, shift: 10, mult: 3_000, timeOffset: 7)
        var asked: [UInt32] = []
        let reading = try XCTUnwrap(PerfUserPage.read(page.page, rdpmc: { asked.append($0); return 0xFFFF_FFFF_FF00 },
                                                      ticks: { 4_096 }))
        XCTAssertEqual(asked, [2], "index 3 is hardware counter 2")
        XCTAssertEqual(reading.count, 1_000_000 - 256, "offset plus the sign-extended 48-bit value")
        let delta = PerfUserPage.timeDelta(cycles: 4_096, shift: 10, mult: 3_000, offset: 7)
        XCTAssertEqual(delta, 7 + 4 * 3_000)
        XCTAssertEqual(reading.enabled, 5_000 + delta)
        XCTAssertEqual(reading.running, 4_000 + delta)
    }

    /// With no counter behind the event (index 0), no user read offered, or no user time,
    /// there is nothing to read from user space: read() takes over, and rdpmc is never run
    /// (it would fault).
    func testFallsBackWithoutACounter() {
        var calls = 0
        let rdpmc: (UInt32) -> UInt64 = { _ in calls += 1; return 0 }
        let offCounter = FakePage.counting(index: 0, offset: 5)
        XCTAssertNil(PerfUserPage.read(offCounter.page, rdpmc: rdpmc, ticks: { 0 }))
        let noRdpmc = FakePage.counting(index: 1, offset: 5)
        noRdpmc.set(PerfUserPage.Offset.capabilities, PerfUserPage.Capability.userTime)
        XCTAssertNil(PerfUserPage.read(noRdpmc.page, rdpmc: rdpmc, ticks: { 0 }))
        let noTime = FakePage.counting(index: 1, offset: 5)
        noTime.set(PerfUserPage.Offset.capabilities, PerfUserPage.Capability.userRdpmc)
        XCTAssertNil(PerfUserPage.read(noTime.page, rdpmc: rdpmc, ticks: { 0 }))
        XCTAssertEqual(calls, 0)
        XCTAssertFalse(PerfUserPage.offersUserRead(capabilities: PerfUserPage.Capability.userRdpmc))
        XCTAssertTrue(PerfUserPage.offersUserRead(capabilities: PerfUserPage.Capability.userRdpmc | PerfUserPage.Capability.userTime))
    }

    /// The kernel moves the counter while we read (the lock changes between our two looks): the
    /// first, torn attempt is thrown away and the second, consistent one returned.
    func testRetriesWhenTheLockMoves() throws {
        let page = FakePage.counting(index: 1, offset: 100, shift: 0, mult: 1)
        var attempts = 0
        let reading = try XCTUnwrap(PerfUserPage.read(page.page, rdpmc: { _ in
            attempts += 1
            if attempts == 1 {
                // As the kernel would, mid-read: a new offset under a new lock value.
                page.set(PerfUserPage.Offset.offset, Int64(10_000))
                page.set(PerfUserPage.Offset.lock, page.get(PerfUserPage.Offset.lock, as: UInt32.self) + 2)
                return 1
            }
            return 2
        }, ticks: { 0 }))
        XCTAssertEqual(attempts, 2)
        XCTAssertEqual(reading.count, 10_002, "the second attempt's offset and counter, not a mix")
    }

    /// An odd lock means the kernel is halfway through an update; a lock that never settles
    /// gives up after the attempts allowed, so the caller falls back to read().
    func testGivesUpOnALockThatNeverSettles() {
        let odd = FakePage.counting(index: 1, offset: 0)
        odd.set(PerfUserPage.Offset.lock, UInt32(3))
        var calls = 0
        XCTAssertNil(PerfUserPage.read(odd.page, maxAttempts: 4, rdpmc: { _ in calls += 1; return 0 }, ticks: { 0 }))
        XCTAssertEqual(calls, 4)
        let moving = FakePage.counting(index: 1, offset: 0)
        XCTAssertNil(PerfUserPage.read(moving.page, maxAttempts: 5, rdpmc: { _ in
            moving.set(PerfUserPage.Offset.lock, moving.get(PerfUserPage.Offset.lock, as: UInt32.self) + 2)
            return 0
        }, ticks: { 0 }))
    }

    /// The real thing on this machine: a software event's page maps, offers no user read (its
    /// index is 0), so every snapshot goes through read(), and the report says so and why.
    func testSoftwareEventPageSendsSnapshotsToRead() throws {
        let spec = try XCTUnwrap(PerfEventSpec.software("task-clock"))
        let (opened, failures) = PerfEventGroup.open([spec])
        guard let group = opened else {
            throw XCTSkip("perf_event_open refused a software event here: \(failures.map(\.reason))")
        }
        XCTAssertEqual(group.pageCapabilities.count, 1, "the event's page was mapped")
        XCTAssertFalse(group.offersUserRead)
        group.reset(); group.enable()
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: group.words)
        defer { buffer.deallocate() }
        for _ in 0..<3 { XCTAssertTrue(group.read(into: buffer)) }
        group.disable()
        XCTAssertEqual(buffer[0], 1, "nr")
        XCTAssertGreaterThan(buffer[3], 0, "task-clock counted")
        XCTAssertEqual(group.userReads, 0)
        XCTAssertEqual(group.systemReads, 3)
        XCTAssertTrue(group.readPathNote.hasPrefix("read(): the perf page offers no user-space read"), group.readPathNote)
    }
}
