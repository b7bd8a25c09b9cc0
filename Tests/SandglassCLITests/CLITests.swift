import Foundation
import XCTest

/// The command line as a user meets it: JSON fields, tables, and one clear line with exit
/// code 2 for every kind of bad argument (never a trap).
final class CLITests: XCTestCase {
    func testInspectJSONTotals() throws {
        let r = try CLI.run(["inspect", "--model", "mobilenext", "--width", "1.0", "--alpha", "1/2", "--resolution", "224",
                             "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let totals = try XCTUnwrap(r.json?["totals"] as? [String: Any])
        XCTAssertEqual(totals["params"] as? Int, 3_535_416)
        XCTAssertEqual(totals["paramsConvFC"] as? Int, 3_482_392)
        XCTAssertEqual(totals["madds"] as? Int, 311_342_592)
        XCTAssertEqual(totals["shortcutAdds"] as? Int, 409_248)
        let layers = try XCTUnwrap(r.json?["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.first?["name"] as? String, "stem")
        XCTAssertEqual(layers.filter { ($0["op"] as? String)?.hasPrefix("add") == true }.count, 12)
        // Per-layer rows sum to the totals.
        XCTAssertEqual(layers.reduce(0) { $0 + ($1["madds"] as? Int ?? 0) }, 311_342_592)
    }

    func testInspectTableAndCSV() throws {
        let table = try CLI.run(["inspect", "--model", "mobilenetv2", "--width", "0.5", "--resolution", "96"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("s2.b1.add"))
        XCTAssertTrue(table.stdout.contains("total"))
        let csv = try CLI.run(["inspect", "--model", "mobilenetv2", "--format", "csv"])
        XCTAssertEqual(csv.status, 0)
        let lines = csv.stdout.split(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("index,name,op"))
        XCTAssertTrue(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 12 })
    }

    func testBenchJSON() throws {
        let r = try CLI.run(["bench", "--model", "mobilenext", "--width", "0.35", "--alpha", "1/3", "--resolution", "96",
                             "--warmup", "1", "--iterations", "5", "--format", "json", "--add", "separate"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let latency = try XCTUnwrap(r.json?["latencyMs"] as? [String: Any])
        XCTAssertGreaterThan(latency["median"] as? Double ?? 0, 0)
        XCTAssertEqual(latency["count"] as? Int, 5)
        for key in ["p10", "p90", "min", "mean", "stddev"] { XCTAssertNotNil(latency[key], key) }
        XCTAssertEqual(r.json?["add"] as? String, "separate")
        XCTAssertEqual(r.json?["alpha"] as? String, "1/3")
    }

    /// --fusion reaches the plan: auto runs MobileNetV2's 112×112 layers as depth-first chains
    /// (listed with their traffic), none layer by layer; JSON carries the roofline bound.
    func testBenchFusionAndRoofline() throws {
        // Thresholds below any L2, so that the test does not depend on this machine's caches, and
        // the built-in choices: tuning may run a chain layer by layer where that is faster here.
        let env = ["SANDGLASS_FUSION_KIB": "256:64"]
        let base = ["bench", "--model", "mobilenetv2", "--width", "0.5", "--resolution", "160", "--warmup", "0",
                    "--iterations", "3", "--per-layer", "--skip-selftest", "--tuning", "off"]
        var kernels: [String: [String]] = [:]
        for fusion in ["auto", "none"] {
            let r = try CLI.run(base + ["--fusion", fusion, "--format", "json"], environment: env)
            XCTAssertEqual(r.status, 0, r.stderr)
            let layers = try XCTUnwrap(r.json?["layers"] as? [[String: Any]])
            kernels[fusion] = layers.compactMap { $0["kernel"] as? String }
            let roofline = try XCTUnwrap(r.json?["roofline"] as? [String: Any], "roofline in \(fusion)")
            XCTAssertGreaterThan(roofline["boundMs"] as? Double ?? 0, 0)
            XCTAssertGreaterThan(roofline["measuredOverBound"] as? Double ?? 0, 0)
            XCTAssertNotNil(roofline["derivation"] as? String)
        }
        XCTAssertTrue(kernels["auto"]?.contains { $0.hasPrefix("rows×") } == true, "\(kernels["auto"] ?? [])")
        XCTAssertFalse(kernels["none"]?.contains { $0.hasPrefix("rows×") } ?? true)
        let table = try CLI.run(base + ["--fusion", "auto"], environment: env)
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("depth-first chain"), table.stdout)
        let bad = try CLI.run(base + ["--fusion", "depth"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("none or auto"), bad.stderr)
    }

    /// --tuning on bench: fresh measures every tunable shape into the cache, cached then finds
    /// them all there, off reports the built-in choices; the JSON names what was tuned.
    func testBenchTuningModes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sg-cli-tuning-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["SANDGLASS_TUNING_DIR": dir.path]
        let base = ["bench", "--model", "mobilenext", "--width", "0.5", "--resolution", "128", "--warmup", "0",
                    "--iterations", "3", "--skip-selftest", "--format", "json"]
        var outcomes: [String: [String: Any]] = [:]
        for mode in ["fresh", "cached", "off"] {
            let r = try CLI.run(base + ["--tuning", mode], environment: env)
            XCTAssertEqual(r.status, 0, r.stderr)
            outcomes[mode] = try XCTUnwrap(r.json?["tuning"] as? [String: Any], "tuning in \(mode)")
        }
        let shapes = outcomes["fresh"]?["shapes"] as? Int ?? 0
        XCTAssertGreaterThan(shapes, 0)
        XCTAssertEqual(outcomes["fresh"]?["measured"] as? Int, shapes)
        XCTAssertEqual(outcomes["cached"]?["measured"] as? Int, 0, "the second run reuses the first one's choices")
        XCTAssertEqual((outcomes["cached"]?["tuned"] as? [String: Any])?.count, (outcomes["fresh"]?["tuned"] as? [String: Any])?.count)
        XCTAssertEqual(outcomes["off"]?["mode"] as? String, "off")
        let file = try XCTUnwrap(outcomes["fresh"]?["cacheFile"] as? String)
        XCTAssertTrue(file.hasPrefix(dir.path) && FileManager.default.fileExists(atPath: file), file)
        let bad = try CLI.run(["bench", "--model", "mobilenext", "--tuning", "always"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("off, cached or fresh"), bad.stderr)
    }

    /// A chain the cache says to run layer by layer: the plan splits it, nothing is measured
    /// again, and the per-layer output says which chain tuning split and why.
    func testBenchPerLayerNamesTheChainsTuningSplit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sg-cli-chains-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Chains at any L2 (link at 256 KiB): this small model forms some on every machine.
        let env = ["SANDGLASS_TUNING_DIR": dir.path, "SANDGLASS_FUSION_KIB": "256:64"]
        let base = ["bench", "--model", "mobilenetv2", "--width", "0.5", "--resolution", "160", "--warmup", "0",
                    "--iterations", "3", "--skip-selftest"]
        let fresh = try CLI.run(base + ["--tuning", "fresh", "--format", "json"], environment: env)
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        let cacheFile = try XCTUnwrap((fresh.json?["tuning"] as? [String: Any])?["cacheFile"] as? String)
        // Force the first chain layer by layer (whatever this machine measured).
        var cache = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cacheFile))) as? [String: Any])
        var entries = try XCTUnwrap(cache["entries"] as? [String: [String: Any]])
        let key = try XCTUnwrap(entries.keys.filter { $0.contains(" chain ") }.sorted().first, "chains in \(entries.keys)")
        XCTAssertEqual(entries[key]?["trial"] as? String, "network")
        let steps = try XCTUnwrap(entries[key]?["layer"] as? String).components(separatedBy: ", ")
        entries[key]?["choice"] = ["chained": false]
        entries[key]?["ratioToBuiltIn"] = 0.5
        cache["entries"] = entries
        try JSONSerialization.data(withJSONObject: cache).write(to: URL(fileURLWithPath: cacheFile))

        let r = try CLI.run(base + ["--tuning", "cached", "--per-layer"], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("0 measured now"), r.stdout)
        XCTAssertTrue(r.stdout.contains("chains run layer by layer"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\(key): layer by layer (0.500× the built-in)"), r.stdout)
        for step in steps {
            XCTAssertFalse(r.stdout.contains(step + " "), "\(step) is split into its layers: \(r.stdout)")
        }
        XCTAssertTrue(r.stdout.contains(steps[0].components(separatedBy: "+")[0]), "its first layer runs as a step of its own")
    }

    func testModelsLists() throws {
        let r = try CLI.run(["models"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("mobilenext") && r.stdout.contains("mobilenetv2"))
        XCTAssertTrue(r.stdout.contains("3,535,416"))
    }

    func testBadArgumentsExitTwoWithOneLine() throws {
        let cases: [([String], String)] = [
            (["inspect", "--width", "0"], "width"),
            (["inspect", "--width", "-1"], "width"),
            (["inspect", "--width", "abc"], "width"),
            (["inspect", "--alpha", "0"], "α"),
            (["inspect", "--alpha", "1.5"], "α"),
            (["inspect", "--alpha", "1/0"], "α"),
            (["inspect", "--alpha", "half"], "α"),
            (["inspect", "--resolution", "16"], "resolution"),
            (["inspect", "--model", "resnet50"], "unknown model"),
            (["bench", "--threads", "0"], "threads"),
            (["bench", "--isa", "sse9"], "ISA"),
            (["bench", "--add", "sometimes"], "must be fused or separate"),
            (["bench", "--iterations", "0"], "iterations"),
            (["inspect", "--format", "xml"], "format"),
            (["frobnicate"], "frobnicate"),
        ]
        for (args, word) in cases {
            let r = try CLI.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(args) printed \(lines.count) lines: \(r.stderr)")
            XCTAssertTrue(r.stderr.lowercased().contains(word.lowercased()), "\(args): \(r.stderr)")
            XCTAssertTrue(r.stdout.isEmpty, "\(args) wrote to stdout")
        }
    }

    /// A negative number is a value, not a short flag: it meets the same check as zero
    /// (ArgumentParser alone answers "Missing value for '--width <width>'").
    func testNegativeNumbersGetTheSameMessageAsZero() throws {
        // (flag, zero, negative, and how the message prints each)
        let cases: [(String, String, String, String, String)] = [("--width", "0", "-1", "0.0", "-1.0"),
                                                                 ("--resolution", "0", "-1", "0", "-1"),
                                                                 ("--classes", "0", "-1", "0", "-1")]
        for (flag, zero, negative, printedZero, printedNegative) in cases {
            let z = try CLI.run(["inspect", flag, zero])
            let n = try CLI.run(["inspect", flag, negative])
            XCTAssertEqual(z.status, 2, z.stderr)
            XCTAssertEqual(n.status, 2, n.stderr)
            XCTAssertFalse(n.stderr.contains("Missing value"), n.stderr)
            // The same line, but for the value it quotes.
            let expected = z.stderr.replacingOccurrences(of: " \(printedZero) ", with: " \(printedNegative) ")
            XCTAssertEqual(n.stderr, expected, flag)
        }
    }

    /// An unknown model points at `sandglass models` only, not at a second hint after it.
    func testUnknownModelGivesOneHint() throws {
        let r = try CLI.run(["inspect", "--model", "resnet50"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "sandglass: error: unknown model 'resnet50': choose mobilenext, mobilenetv2, mobilenetv2-extra-dw or mobilenext-se (see 'sandglass models')\n")
        // Other bad values still get the general hint.
        XCTAssertTrue(try CLI.run(["inspect", "--width", "0"]).stderr.hasSuffix(" (see 'sandglass help')\n"))
    }

    func testHelpAndVersionExitZero() throws {
        XCTAssertEqual(try CLI.run(["--help"]).status, 0)
        XCTAssertEqual(try CLI.run(["bench", "--help"]).status, 0)
        XCTAssertEqual(try CLI.run(["--version"]).status, 0)
    }
}
