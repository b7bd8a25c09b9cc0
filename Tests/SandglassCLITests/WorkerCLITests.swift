import Foundation
import XCTest

/// `sandglass worker`: JSON lines in, one answer per line out, errors answered without ending it.
final class WorkerCLITests: XCTestCase {
    func testAnswersEveryLineAndSurvivesBadOnes() throws {
        let scratch = try ScratchFolder("sandglass-worker-cli")
        defer { scratch.remove() }
        let requests = [
            #"{"op":"load","id":"a","model":"mobilenext","width":0.35,"alpha":"1/6","resolution":64}"#,
            #"{"op":"run","id":"a","iterations":3}"#,
            "this is not json",
            #"{"op":"load","id":"b","alpha":"7"}"#,
            "",
            #"{"op":"run","id":"b"}"#,
            #"{"op":"quit"}"#,
            #"{"op":"run","id":"a"}"#,  // after quit: not read
        ]
        let r = try CLI.run(["worker"], environment: ["SANDGLASS_CACHE_DIR": scratch.path],
                            stdin: requests.joined(separator: "\n") + "\n", timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        let answers = r.stdout.split(separator: "\n").map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
        }
        XCTAssertEqual(answers.count, 7, r.stdout)  // ready + 6 answers (the blank line gets none)
        guard answers.count == 7 else { return }
        XCTAssertEqual(answers[0]["op"] as? String, "ready")
        XCTAssertEqual(answers[1]["ok"] as? Bool, true, "\(answers[1])")
        XCTAssertEqual(answers[1]["selftest"] as? String, "passed", "the self-test gate ran before loading")
        let ms = try XCTUnwrap(answers[2]["ms"] as? [Double])
        XCTAssertEqual(ms.count, 3)
        XCTAssertTrue(ms.allSatisfy { $0 > 0 }, "\(ms)")
        XCTAssertEqual(answers[3]["ok"] as? Bool, false)
        XCTAssertTrue((answers[3]["error"] as? String ?? "").contains("not json"), "\(answers[3])")
        XCTAssertEqual(answers[4]["ok"] as? Bool, false)
        XCTAssertTrue((answers[4]["error"] as? String ?? "").contains("7"), "the bad α is named: \(answers[4])")
        XCTAssertTrue((answers[5]["error"] as? String ?? "").contains("no model is loaded as \"b\""), "\(answers[5])")
        XCTAssertEqual(answers[6]["op"] as? String, "quit")
    }
}
