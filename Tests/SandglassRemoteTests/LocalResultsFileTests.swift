import Foundation
import XCTest
import SandglassRemote

/// The local file of a remote sweep: per-board record counts (where streams resume), a torn
/// tail cut on resume, and no accidental overwrite.
final class LocalResultsFileTests: XCTestCase {
    var path: String!

    override func setUp() {
        path = NSTemporaryDirectory() + "sg-local-\(getpid())-\(name.filter(\.isLetter)).jsonl"
        try? FileManager.default.removeItem(atPath: path)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: path) }

    func line(_ type: String, _ board: String?, id: String? = nil) -> Data {
        var fields = ["\"type\":\"\(type)\"", "\"schemaVersion\":1"]
        if let board { fields.append("\"board\":\"\(board)\"") }
        if let id { fields.append("\"id\":\"\(id)\"") }
        return Data(("{" + fields.joined(separator: ",") + "}").utf8)
    }

    func testCountsPerBoardAndResume() throws {
        let file = try LocalResultsFile(path: path, resume: false, force: false)
        try file.append(line: line("header", "a"), board: "a", type: "header", pointID: nil)
        try file.append(line: line("header", "b"), board: "b", type: "header", pointID: nil)
        try file.append(line: line("point", "a", id: "p1"), board: "a", type: "point", pointID: "p1")
        XCTAssertEqual(file.count(board: "a"), 2)
        XCTAssertEqual(file.count(board: "b"), 1)
        XCTAssertEqual(file.completedPoints(board: "a"), ["p1"])

        // A local sweep's records (no board) and a torn last line from a crash.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        handle.write(line("point", nil, id: "local") + Data("\n".utf8))
        handle.write(Data(#"{"type":"point","board":"a","id":"p2""#.utf8))
        try handle.close()

        XCTAssertThrowsError(try LocalResultsFile(path: path, resume: false, force: false)) { error in
            XCTAssertTrue("\(error)".contains("--resume"))
        }
        let resumed = try LocalResultsFile(path: path, resume: true, force: false)
        XCTAssertEqual(resumed.count(board: "a"), 2)
        XCTAssertEqual(resumed.count(board: "b"), 1)
        XCTAssertEqual(resumed.lines(board: "a").last, line("point", "a", id: "p1"))
        XCTAssertTrue(resumed.warnings.contains { $0.contains("incomplete") })
        try resumed.append(line: line("end", "a"), board: "a", type: "end", pointID: nil)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\"type\":\"end\",\"schemaVersion\":1,\"board\":\"a\"}\n"), text)
        XCTAssertFalse(text.contains("p2"), "the torn line was not cut")

        let forced = try LocalResultsFile(path: path, resume: false, force: true)
        XCTAssertEqual(forced.count(board: "a"), 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, 0)
    }
}
