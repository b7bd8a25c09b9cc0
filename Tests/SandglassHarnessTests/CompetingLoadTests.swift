import Foundation
import SandglassHarness
import XCTest

/// The load warning is decided by what other processes use now, not by the decaying load average.
final class CompetingLoadTests: XCTestCase {
    func testParsesProcStatAndSelfStat() throws {
        let stat = """
        cpu  100 5 50 800 20 1 2 3 0 0
        cpu0 50 2 25 400 10 0 1 1 0 0
        cpu1 50 3 25 400 10 1 1 2 0 0
        intr 12345
        """
        // A command name with spaces and a parenthesis must not shift the fields.
        let me = "4242 (sandglass (x) y) R 1 2 3 4 5 6 7 8 9 10 70 30 0 0 20 0 1 0"
        let s = try XCTUnwrap(CompetingLoad.parse(stat: stat, selfStat: me))
        XCTAssertEqual(s.total, 100 + 5 + 50 + 800 + 20 + 1 + 2 + 3)
        XCTAssertEqual(s.busy, s.total - 820)
        XCTAssertEqual(s.own, 100)
        XCTAssertEqual(s.cpus, 2)
    }

    func testOthersSubtractsOwnTime() throws {
        let a = CompetingLoad.Sample(busy: 1000, total: 4000, own: 100, cpus: 2)
        // 200 jiffies per CPU elapsed; 300 busy, 100 of them ours: others kept 1 CPU busy.
        let b = CompetingLoad.Sample(busy: 1300, total: 4400, own: 200, cpus: 2)
        XCTAssertEqual(try XCTUnwrap(CompetingLoad.others(from: a, to: b)), 1.0, accuracy: 1e-9)
        XCTAssertNil(CompetingLoad.others(from: b, to: a))
    }

    /// A real competing process is seen (whatever else the host runs, it adds at least half a CPU).
    func testSeesABusyChildProcess() throws {
        let busy = Process()
        busy.executableURL = URL(fileURLWithPath: "/bin/sh")
        busy.arguments = ["-c", "while :; do :; done"]
        try busy.run()
        defer { busy.terminate(); busy.waitUntilExit() }
        usleep(100_000)
        let others = try XCTUnwrap(CompetingLoad.measure(window: 0.5))
        XCTAssertGreaterThanOrEqual(others, 0.5, "a busy child process was not counted")
    }
}
