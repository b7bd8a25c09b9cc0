import Foundation
import XCTest

/// `sandglass selftest` end to end: JSON shape and exit status, and a clear refusal of an ISA
/// this CPU cannot run.
final class SelfTestCLITests: XCTestCase {
    func testSelfTestJSONPassesAndSaysWhatItChecked() throws {
        let r = try CLI.run(["selftest", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(r.json, r.stdout)
        XCTAssertEqual(json["passed"] as? Bool, true)
        let isas = try XCTUnwrap(json["isa"] as? [String])
        XCTAssertFalse(isas.isEmpty)
        let checks = try XCTUnwrap(json["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.count, (13 + 3) * isas.count, "13 fp32 and 3 int8 kernel checks per ISA")
        for c in checks {
            XCTAssertNotNil(c["kernel"] as? String)
            XCTAssertNotNil(c["maxRelError"] as? Double)
            XCTAssertEqual(c["passed"] as? Bool, true, "\(c)")
        }
        let networks = try XCTUnwrap(json["networks"] as? [[String: Any]])
        XCTAssertEqual(networks.count, 16 * isas.count)
    }

    func testAnISAThisCPUCannotRunIsRefused() throws {
        #if arch(x86_64)
        let foreign = "neon"
        #else
        let foreign = "avx512"
        #endif
        let r = try CLI.run(["selftest", "--isa", foreign, "--kernels-only"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--isa \(foreign): this CPU cannot run it"), r.stderr)
    }

    /// bench checks its kernels before measuring, records the outcome, and the second run on
    /// the same binary and CPU reuses it.
    func testBenchChecksFirstAndCachesTheOutcome() throws {
        let scratch = try ScratchFolder("selftest-cache")
        let env = ["SANDGLASS_CACHE_DIR": scratch.path]
        let args = ["bench", "--width", "0.35", "--resolution", "64", "--warmup", "0", "--iterations", "3", "--format", "json"]
        let first = try CLI.run(args, environment: env)
        XCTAssertEqual(first.status, 0, first.stderr)
        let outcome = try XCTUnwrap(first.json?["selftest"] as? [String: Any], first.stdout)
        XCTAssertEqual(outcome["status"] as? String, "passed")
        XCTAssertEqual(outcome["cached"] as? Bool, false)
        XCTAssertEqual(outcome["kernelChecks"] as? Int, 13 + 3, "one check per kernel of the ISA auto picks (13 fp32, 3 int8)")
        XCTAssertEqual(outcome["networks"] as? Int, 16)
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/selftest")
        XCTAssertEqual(files.filter { $0.hasSuffix(".json") }.count, 1, "\(files)")
        let second = try CLI.run(args, environment: env)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual((second.json?["selftest"] as? [String: Any])?["cached"] as? Bool, true)
    }

    /// A kernel that computes the wrong thing (the test hook breaks f32_dwconv3x3_s2) stops
    /// bench and sweep before they measure or write anything, naming the kernel; with
    /// --skip-selftest they measure and say the check was skipped.
    func testABrokenKernelStopsTheMeasurement() throws {
        let scratch = try ScratchFolder("selftest-broken")
        let env = ["SANDGLASS_CACHE_DIR": scratch.path, "SANDGLASS_SELFTEST_BREAK": "f32_dwconv3x3_s2"]
        let bench = ["bench", "--width", "0.35", "--resolution", "64", "--warmup", "0", "--iterations", "3", "--format", "json"]
        let refused = try CLI.run(bench, environment: env)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("f32_dwconv3x3_s2"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("Nothing was measured"), refused.stderr)
        XCTAssertEqual(refused.stdout, "")
        let ab = try CLI.run(["ab", "--width", "0.35", "--resolution", "64", "--versus", "alpha=1/6", "--seconds", "1"], environment: env)
        XCTAssertEqual(ab.status, 1)
        XCTAssertTrue(ab.stderr.contains("f32_dwconv3x3_s2"), ab.stderr)

        let spec = try scratch.write("""
        axes:
          model: mobilenext
          width: 0.35
          resolution: 64
        measurement:
          warmup: {runs: 1, seconds: 0}
          repetitions: {min: 3, max: 3}
          target-ci: 0
        """, "one.yaml")
        let out = scratch.path + "/one.jsonl"
        let sweep = try CLI.run(["sweep", spec, "--out", out, "--progress", "quiet", "--no-calibrate"], environment: env)
        XCTAssertNotEqual(sweep.status, 0)
        XCTAssertTrue(sweep.stderr.contains("f32_dwconv3x3_s2"), sweep.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a refused sweep wrote a results file")

        let skipped = try CLI.run(bench + ["--skip-selftest"], environment: env)
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertEqual((skipped.json?["selftest"] as? [String: Any])?["status"] as? String, "skipped")
        let swept = try CLI.run(["sweep", spec, "--out", out, "--progress", "quiet", "--no-calibrate", "--skip-selftest"],
                                environment: env)
        XCTAssertEqual(swept.status, 0, swept.stderr)
        let report = try CLI.run(["report", out, "--out", scratch.path + "/report", "--force"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let readme = try String(contentsOfFile: scratch.path + "/report/README.md", encoding: .utf8)
        XCTAssertTrue(readme.contains("self-test skipped (--skip-selftest)"), readme)
    }

    /// A sweep's header carries the outcome, and its report says the kernels were checked.
    func testSweepHeaderAndReportCarryTheSelfTest() throws {
        let scratch = try ScratchFolder("selftest-sweep")
        let spec = try scratch.write("""
        axes:
          model: mobilenext
          width: 0.35
          resolution: 64
          isa: [avx2]
        measurement:
          warmup: {runs: 1, seconds: 0}
          repetitions: {min: 3, max: 3}
          target-ci: 0
        """, "one.yaml")
        let out = scratch.path + "/one.jsonl"
        #if arch(x86_64)
        let r = try CLI.run(["sweep", spec, "--out", out, "--progress", "quiet", "--no-calibrate"],
                            environment: ["SANDGLASS_CACHE_DIR": scratch.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let header = try XCTUnwrap(text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.first { $0["type"] as? String == "header" })
        let outcome = try XCTUnwrap(header["selftest"] as? [String: Any])
        XCTAssertEqual(outcome["status"] as? String, "passed")
        XCTAssertEqual(outcome["isa"] as? [String], ["avx2"], "the ISA the sweep runs, not every ISA")
        let report = try CLI.run(["report", out, "--out", scratch.path + "/report", "--force"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let readme = try String(contentsOfFile: scratch.path + "/report/README.md", encoding: .utf8)
        XCTAssertTrue(readme.contains("Kernels: self-test passed before measuring"), readme)
        #else
        throw XCTSkip("the spec names avx2")
        #endif
    }
}

