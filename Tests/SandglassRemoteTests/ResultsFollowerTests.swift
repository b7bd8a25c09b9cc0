import Foundation
import XCTest
import SandglassRemote

/// The board side of streaming: only complete records, after the ones the host holds, each
/// once, until the writer's process ends.
final class ResultsFollowerTests: XCTestCase {
    var path: String!

    override func setUp() {
        path = NSTemporaryDirectory() + "sg-follow-\(getpid())-\(name.filter(\.isLetter)).jsonl"
        try? FileManager.default.removeItem(atPath: path)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: path) }

    func collect(_ follower: ResultsFollower) -> (String, ResultsFollower.Exit) {
        var out = Data()
        let exit = follower.run(emit: { out.append($0) }, log: { _ in })
        return (String(decoding: out, as: UTF8.self), exit)
    }

    func testSkipsHeldRecordsAndTornTail() throws {
        try "{\"n\":1}\n{\"n\":2}\n\n{\"n\":3}\n{\"n\":4, torn".write(toFile: path, atomically: true, encoding: .utf8)
        let (out, exit) = collect(ResultsFollower(path: path, skip: 1, pid: nil))
        XCTAssertEqual(exit, .finished)
        XCTAssertEqual(out, "{\"n\":2}\n{\"n\":3}\n")
        XCTAssertEqual(ResultsFollower.count(path: path, line: 3, hash: RecordHash.hex(Array("{\"n\":3}".utf8))).lines, 3)
        XCTAssertEqual(ResultsFollower.count(path: path, line: 3, hash: RecordHash.hex(Array("{\"n\":3}".utf8))).matches, true)
        XCTAssertEqual(ResultsFollower.count(path: path, line: 2, hash: RecordHash.hex(Array("{\"n\":3}".utf8))).matches, false)
        XCTAssertNil(ResultsFollower.count(path: path, line: 9, hash: "0").matches)
    }

    func testFollowsWhileTheWriterLives() throws {
        // A writer process that appends a record in two pieces, then another, then ends.
        let script = "printf '{\"a\":1}\\n{\"b\"' >> \(ShellQuoting.quote(path)); sleep 0.5; printf ':2}\\n' >> \(ShellQuoting.quote(path)); sleep 0.5; printf '{\"c\":3}\\n' >> \(ShellQuoting.quote(path))"
        let writer = try ChildProcess(["/bin/sh", "-c", script])
        var follower = ResultsFollower(path: path, skip: 0, pid: writer.pid)
        follower.pollSeconds = 0.05
        follower.heartbeatSeconds = 0.2
        // Reap the writer when it ends, so that its pid really disappears.
        let reaper = Thread { writer.wait() }
        reaper.start()
        let (out, exit) = collect(follower)
        XCTAssertEqual(exit, .finished)
        XCTAssertEqual(out.split(separator: "\n").map(String.init), [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#], out)
        XCTAssertTrue(out.contains("\n\n"), "no heartbeat in \(out.debugDescription)")
    }

    func testShrinkingFileIsAnError() throws {
        try "{\"n\":1}\n{\"n\":2}\n".write(toFile: path, atomically: true, encoding: .utf8)
        // The writer process outlives the shrink by far, even on a loaded host: only the shrink
        // can end the follow.
        let sleeper = try ChildProcess(["/bin/sh", "-c", "sleep 60"])
        var follower = ResultsFollower(path: path, skip: 0, pid: sleeper.pid)
        follower.pollSeconds = 0.05
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.4) {
            _ = try? "x\n".write(toFile: self.path, atomically: false, encoding: .utf8)
        }
        XCTAssertEqual(collect(follower).1, .shrank)
        sleeper.terminate()
    }
}
