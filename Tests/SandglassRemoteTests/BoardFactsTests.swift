import XCTest
import SandglassRemote

/// The health check's verdicts: one actionable error per missing piece.
final class BoardFactsTests: XCTestCase {
    let healthy = """
    root=/home/pi/.cache/sandglass
    arch=aarch64
    kernel=6.12.0
    hostname=pi5
    os=Debian GNU/Linux 13 (trixie)
    boot=0f0e
    free_kb=9000000
    swift_path=/usr/bin/swift
    swift_version=Swift version 6.0.3 (swift-6.0.3-RELEASE)
    """

    func problem(_ text: String, building: Bool = true) -> RemoteError? {
        BoardFacts(parsing: text).problems(board: "pi5", building: building, swiftName: "swift", prerequisites: BuildPrerequisite.all)
    }

    func testHealthyBoard() {
        XCTAssertNil(problem(healthy))
        let facts = BoardFacts(parsing: healthy)
        XCTAssertEqual(facts.swiftVersion?.0, 6)
        XCTAssertEqual(facts.swiftVersion?.1, 0)
        XCTAssertEqual(facts.architecture, "aarch64")
    }

    func testMissingHeadersNameTheAptCommand() {
        let e = problem(healthy + "\nmissing=header:perfmon/pfmlib.h\nmissing=header:hwloc.h\nmissing=command:pkg-config")
        XCTAssertEqual(e?.kind, .boardSetup)
        XCTAssertTrue(e?.message.contains("sudo apt install libpfm4-dev libhwloc-dev pkg-config") == true, e?.message ?? "")
        // A prebuilt binary needs no headers.
        XCTAssertNil(problem(healthy + "\nmissing=header:hwloc.h", building: false))
    }

    func testSwiftMissingOrOld() {
        let none = problem(healthy.replacingOccurrences(of: "swift_path=/usr/bin/swift", with: "swift_path="))
        XCTAssertEqual(none?.kind, .boardSetup)
        XCTAssertTrue(none?.message.contains("apt install swiftlang") == true)
        XCTAssertTrue(none?.message.contains("--remote-swift") == true)
        let old = problem(healthy.replacingOccurrences(of: "6.0.3 (swift-6.0.3", with: "5.10.1 (swift-5.10.1"))
        XCTAssertEqual(old?.kind, .boardSetup)
        XCTAssertTrue(old?.message.contains("5.10") == true, old?.message ?? "")
        let apple = BoardFacts(parsing: "swift_version=Apple Swift version 6.1 (swiftlang-6.1.0.110.21 clang-1700.0.13.3)")
        XCTAssertEqual(apple.swiftVersion?.0, 6)
    }

    func testDiskFull() {
        let e = problem(healthy.replacingOccurrences(of: "free_kb=9000000", with: "free_kb=20000"))
        XCTAssertEqual(e?.kind, .diskFull)
        XCTAssertTrue(e?.message.contains("--remote-dir") == true)
        XCTAssertEqual(SSHFailureClassifier.classify(status: 1, stderr: "tar: x: Cannot write: No space left on device", destination: "pi5")?.kind, .diskFull)
    }

    func testHealthCheckScriptRunsHere() throws {
        // The script itself, run by this machine's /bin/sh in a temporary root.
        let dir = NSTemporaryDirectory() + "sg-facts-\(getpid())/a b"
        defer { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "sg-facts-\(getpid())") }
        let script = BoardFacts.script(root: RemotePath(dir), swift: "definitely-not-a-swift", prerequisites: BuildPrerequisite.all)
        let out = try ChildProcess.run(["/bin/sh", "-c", script], timeout: 60)
        XCTAssertEqual(out.status, 0, out.stderrText)
        let facts = BoardFacts(parsing: out.stdoutText)
        XCTAssertEqual(facts.root, dir)
        XCTAssertFalse(facts.architecture.isEmpty)
        XCTAssertNotNil(facts.freeKilobytes)
        XCTAssertNil(facts.swiftPath)
        XCTAssertEqual(problem(out.stdoutText)?.kind, .boardSetup)
    }
}
