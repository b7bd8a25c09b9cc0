import Foundation
import XCTest

/// `ab` and `resolution`: their JSON shapes, and their refusals of bad input.
final class PairedCLITests: XCTestCase {
    let small = ["--width", "0.35", "--resolution", "64"]

    func checkCI(_ value: Any?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let ci = value as? [String: Any]
        for key in ["median", "ciLow", "ciHigh"] {
            XCTAssertNotNil(ci?[key] as? Double, "\(what).\(key) in \(String(describing: value))", file: file, line: line)
        }
        if let lo = ci?["ciLow"] as? Double, let m = ci?["median"] as? Double, let hi = ci?["ciHigh"] as? Double {
            XCTAssertTrue(lo <= m && m <= hi, "\(what): \(lo) \(m) \(hi)", file: file, line: line)
        }
    }

    func testABJSONShape() throws {
        let r = try CLI.run(["ab"] + small + ["--alpha", "1", "--versus", "alpha=1/6", "--versus", "add=separate,alpha=1/6",
                                              "--seconds", "2", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(r.json, r.stdout)
        let baseline = try XCTUnwrap(json["baseline"] as? [String: Any])
        XCTAssertEqual((baseline["point"] as? [String: Any])?["alpha"] as? String, "1")
        let candidates = try XCTUnwrap(json["candidates"] as? [[String: Any]])
        XCTAssertEqual(candidates.count, 2)
        XCTAssertEqual(candidates[0]["overrides"] as? [String: String], ["alpha": "1/6"])
        XCTAssertEqual(candidates[1]["overrides"] as? [String: String], ["add": "separate", "alpha": "1/6"])
        for c in candidates {
            XCTAssertGreaterThan(c["pairs"] as? Int ?? 0, 5)
            checkCI(c["ratio"], "ratio")
            checkCI(c["differenceMs"], "differenceMs")
            XCTAssertNotNil(c["verdict"] as? String)
        }
        let resolution = try XCTUnwrap(json["resolution"] as? [String: Any])
        checkCI(resolution["ratio"], "resolution.ratio")
        XCTAssertNotNil(resolution["halfWidthPercent"] as? Double)
        XCTAssertEqual(json["interleave"] as? String, "inference")
        XCTAssertTrue((json["cacheState"] as? String)?.contains("alternated every inference") == true)
        // Every model ran in every cycle.
        XCTAssertEqual(candidates[0]["pairs"] as? Int, json["cycles"] as? Int)
    }

    func testResolutionJSONHasTheSameShape() throws {
        let r = try CLI.run(["resolution"] + small + ["--seconds", "1", "--interleave", "block:3", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(r.json, r.stdout)
        let candidates = try XCTUnwrap(json["candidates"] as? [[String: Any]])
        XCTAssertEqual(candidates.count, 1)
        XCTAssertEqual(candidates[0]["overrides"] as? [String: String], [:])
        checkCI(candidates[0]["ratio"], "ratio")
        XCTAssertNotNil(candidates[0]["switchCostMs"] as? [String: Any], "block mode reports the switch cost")
        let resolution = try XCTUnwrap(json["resolution"] as? [String: Any])
        XCTAssertEqual(resolution["pairs"] as? Int, candidates[0]["pairs"] as? Int)
        XCTAssertEqual(json["interleave"] as? String, "block:3")
    }

    func testTableNamesTheResolution() throws {
        let r = try CLI.run(["ab"] + small + ["--versus", "alpha=1/2", "--seconds", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("ratio [95% CI]"), r.stdout)
        XCTAssertTrue(r.stdout.contains("resolution (A/A"), r.stdout)
        XCTAssertTrue(r.stdout.contains("alpha=1/2"), r.stdout)
    }

    func testBadCandidatesAreRefused() throws {
        let cases: [([String], String)] = [
            (["ab"] + small, "--versus"),
            (["ab"] + small + ["--versus", "colour=red"], "unknown axis 'colour'"),
            (["ab"] + small + ["--versus", "alpha"], "KEY=VALUE"),
            (["ab"] + small + ["--versus", "alpha=2"], "alpha"),
            (["ab"] + small + ["--versus", "alpha=1"], "is the baseline itself"),
            (["ab"] + small + ["--versus", "pin=core:0"], "same core"),
            (["resolution"] + small + ["--interleave", "block:1"], "block:N"),
            (["resolution"] + small + ["--seconds", "0"], "--seconds"),
        ]
        for (args, phrase) in cases {
            let r = try CLI.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(phrase), "\(args): expected '\(phrase)' in \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
        }
    }
}
