import Glibc
import XCTest
import SandglassProbes

/// perf_event_open errors become a reason and a fix a user can act on.
final class PerfOpenFailureTests: XCTestCase {
    func testEmulationAndSeccomp() {
        let f = PerfOpenFailure.classify(errno: ENOSYS, event: "cycles", isHardware: true, paranoid: 2, cpuPMUPresent: true)
        XCTAssertEqual(f.kind, .notImplemented)
        XCTAssertTrue(f.reason.contains("ENOSYS") && f.reason.contains("qemu-user") && f.reason.contains("seccomp"), f.reason)
        XCTAssertTrue(f.fix.contains("--counters software"), f.fix)
    }

    func testParanoidSysctlIsNamedWithItsValue() {
        for code in [EACCES, EPERM] {
            let f = PerfOpenFailure.classify(errno: code, event: "cycles", isHardware: true, paranoid: 3, cpuPMUPresent: true)
            XCTAssertEqual(f.kind, .notPermitted)
            XCTAssertTrue(f.reason.contains("perf_event_paranoid = 3"), f.reason)
            XCTAssertTrue(f.fix.contains("sysctl kernel.perf_event_paranoid="), f.fix)
        }
    }

    func testNoPMUIsToldApartFromAnUnknownEvent() {
        let vm = PerfOpenFailure.classify(errno: ENOENT, event: "cycles", isHardware: true, paranoid: 2, cpuPMUPresent: false)
        XCTAssertTrue(vm.reason.contains("no hardware PMU"), vm.reason)
        XCTAssertTrue(vm.fix.contains("bare metal"), vm.fix)
        let unknown = PerfOpenFailure.classify(errno: ENOENT, event: "r1234", isHardware: true, paranoid: 2, cpuPMUPresent: true)
        XCTAssertEqual(unknown.kind, .unsupportedEvent)
        XCTAssertFalse(unknown.reason.contains("no hardware PMU"), unknown.reason)
        // A software event missing is never blamed on the PMU.
        let sw = PerfOpenFailure.classify(errno: ENOENT, event: "task-clock", isHardware: false, paranoid: 2, cpuPMUPresent: false)
        XCTAssertFalse(sw.reason.contains("no hardware PMU"), sw.reason)
    }

    func testOtherErrors() {
        XCTAssertEqual(PerfOpenFailure.classify(errno: EINVAL, event: "r0", isHardware: true, paranoid: nil, cpuPMUPresent: true).kind, .invalidEncoding)
        XCTAssertEqual(PerfOpenFailure.classify(errno: EBUSY, event: "cycles", isHardware: true, paranoid: nil, cpuPMUPresent: true).kind, .busy)
        XCTAssertEqual(PerfOpenFailure.classify(errno: EMFILE, event: "cycles", isHardware: true, paranoid: nil, cpuPMUPresent: true).kind, .outOfDescriptors)
        let other = PerfOpenFailure.classify(errno: EIO, event: "cycles", isHardware: true, paranoid: nil, cpuPMUPresent: true)
        XCTAssertEqual(other.kind, .other)
        XCTAssertFalse(other.reason.isEmpty)
    }
}
