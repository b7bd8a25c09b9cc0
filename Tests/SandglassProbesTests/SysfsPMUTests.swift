import Glibc
import XCTest
import SandglassProbes

/// CPU PMUs from a sysfs-like directory: a big.LITTLE phone's layout, built in a temp dir.
final class SysfsPMUTests: XCTestCase {
    func testCPUList() {
        XCTAssertEqual(CPUPerformanceMonitors.parseCPUList("0-3,6,8-9\n"), [0, 1, 2, 3, 6, 8, 9])
        XCTAssertEqual(CPUPerformanceMonitors.parseCPUList("5"), [5])
        XCTAssertEqual(CPUPerformanceMonitors.parseCPUList(""), [])
        XCTAssertNil(CPUPerformanceMonitors.parseCPUList("3-1"))
        XCTAssertNil(CPUPerformanceMonitors.parseCPUList("a,b"))
    }

    func testHeterogeneousPMUsAndTheOneCoveringPinnedCores() throws {
        var template = Array("/tmp/sandglass-sysfs-XXXXXX".utf8CString)
        let root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        defer { removeTree(root) }
        func device(_ name: String, type: Int, cpus: String?) {
            mkdir("\(root)/\(name)", 0o755)
            writeTextFile("\(root)/\(name)/type", "\(type)\n")
            if let cpus { writeTextFile("\(root)/\(name)/cpus", cpus + "\n") }
        }
        device("armv8_cortex_a55", type: 8, cpus: "0-3")
        device("armv8_cortex_a76", type: 9, cpus: "4-7")
        device("software", type: 1, cpus: nil)
        device("tracepoint", type: 2, cpus: nil)
        let list = CPUPerformanceMonitors.list(root: root)
        XCTAssertEqual(list.map(\.name), ["armv8_cortex_a55", "armv8_cortex_a76"])
        XCTAssertEqual(list.map(\.type), [8, 9])
        XCTAssertEqual(CPUPerformanceMonitors.monitor(covering: [5, 6], in: list)?.name, "armv8_cortex_a76")
        XCTAssertEqual(CPUPerformanceMonitors.monitor(covering: [0], in: list)?.name, "armv8_cortex_a55")
        XCTAssertNil(CPUPerformanceMonitors.monitor(covering: [3, 4], in: list), "spans both kinds")
        // x86: one "cpu" PMU without a cpus file covers everything.
        let x86 = [CPUPerformanceMonitor(name: "cpu", type: 4, cpus: nil)]
        XCTAssertEqual(CPUPerformanceMonitors.monitor(covering: [1], in: x86)?.name, "cpu")
    }

    /// This machine: the list agrees with what sysfs has (none on this VM).
    func testThisMachine() {
        let list = CPUPerformanceMonitors.list()
        let devices = directoryEntries(CPUPerformanceMonitors.sysfsRoot)
        XCTAssertEqual(list.contains { $0.name == "cpu" }, devices.contains("cpu"))
        if let paranoid = perfEventParanoid() { XCTAssertTrue((-1...4).contains(paranoid)) }
    }

    private func removeTree(_ path: String) {
        for name in directoryEntries(path) {
            let child = path + "/" + name
            if directoryEntries(child).isEmpty && unlink(child) == 0 { continue }
            removeTree(child)
        }
        rmdir(path)
    }
}

/// Threads' affinity from /proc/self/task, used to check pinned pool workers.
final class ThreadAffinityTests: XCTestCase {
    func testThisProcessListsItsThreads() {
        let threads = ThreadAffinity.threadsOfThisProcess()
        XCTAssertFalse(threads.isEmpty)
        XCTAssertTrue(threads.contains { $0.tid == Int(getpid()) }, "the main thread's tid is the pid")
        for t in threads {
            XCTAssertFalse(t.allowedCPUs.isEmpty)
            XCTAssertNotNil(t.lastCPU)
        }
    }
}

extension ThreadAffinityTests {
    func testLastCPUFieldSurvivesSpacesInTheName() {
        // Fields 3…38 are placeholders; field 39 (the last CPU) is 7.
        let tail = (3...38).map { "\($0)" }.joined(separator: " ") + " 7 0 0"
        XCTAssertEqual(ThreadAffinity.lastCPU("4242 (pool worker) ) \(tail)"), 7)
        XCTAssertNil(ThreadAffinity.lastCPU("4242 (short) S 1"))
    }
}
