import Foundation
import XCTest

/// One parser per parameter: a bad value gets the same words from a flag, a sweep spec and a
/// --versus; and the sim backend of a sweep point runs through the hidden sim-child command.
final class ParameterCLITests: XCTestCase {
    var scratch: ScratchFolder!
    var dir: URL { scratch.url }

    override func setUpWithError() throws { scratch = try ScratchFolder("sg-params-\(name.filter(\.isLetter))") }
    override func tearDownWithError() throws { scratch.remove() }

    func write(_ text: String, _ name: String) throws -> String { try scratch.write(text, name) }

    /// Each bad value, given as a bench flag, a sweep axis and an ab --versus: exit 2 and the
    /// parameter type's own message on all three.
    func testABadValueReadsTheSameEverywhere() throws {
        let small = ["--width", "0.35", "--resolution", "32"]
        let cases: [(flag: String, axis: String, value: String, message: String)] = [
            ("--alpha", "alpha", "2", "identity multiplier α = 2 is outside (0, 1]"),
            ("--alpha", "alpha", "half", "identity multiplier α 'half' is not valid"),
            ("--add", "add", "both", "add 'both' must be fused or separate"),
            ("--isa", "isa", "sse", "isa 'sse' must be auto, avx512, avx2 or neon"),
            ("--threads", "threads", "300", "threads must be between 1 and 256 (got 300)"),
            ("--pin", "pin", "kind:medium", "--pin kind:medium: choose kind:big or kind:little"),
        ]
        for c in cases {
            let bench = try CLI.run(["bench"] + small + [c.flag, c.value])
            XCTAssertEqual(bench.status, 2, "bench \(c.flag) \(c.value): \(bench.stderr)")
            XCTAssertTrue(bench.stderr.contains(c.message), "bench \(c.flag) \(c.value): \(bench.stderr)")
            let spec = try write("axes: {width: 0.35, resolution: 32, \(c.axis): \"\(c.value)\"}\n", "\(c.axis).yaml")
            let sweep = try CLI.run(["sweep", spec, "--dry-run"])
            XCTAssertEqual(sweep.status, 2, "sweep \(c.axis): \(sweep.stderr)")
            XCTAssertTrue(sweep.stderr.contains(c.message), "sweep \(c.axis): \(sweep.stderr)")
            // pin is not a --versus axis (every model of a paired group runs on one core).
            let versus = c.axis == "pin" ? ["--pin", c.value, "--versus", "alpha=1/2"] : ["--versus", "\(c.axis)=\(c.value)"]
            let ab = try CLI.run(["ab"] + small + versus + ["--seconds", "1"])
            XCTAssertEqual(ab.status, 2, "ab --versus \(c.axis)=\(c.value): \(ab.stderr)")
            XCTAssertTrue(ab.stderr.contains(c.message), "ab --versus \(c.axis)=\(c.value): \(ab.stderr)")
        }
    }

    func testSimChildIsHiddenAndRefusesToRunOutsideCallgrind() throws {
        let help = try CLI.run(["--help"])
        XCTAssertFalse(help.stdout.contains("sim-child"), help.stdout)
        let point = #"{"model":"mobilenext","width":0.35,"alpha":"1","resolution":32,"threads":1,"add":"fused","counters":"sim","pin":"none","isa":"auto"}"#
        let outside = try CLI.run(["sim-child", "--point", point])
        XCTAssertEqual(outside.status, 1)
        XCTAssertTrue(outside.stderr.contains("run by sweeps under callgrind"), outside.stderr)
        let garbled = try CLI.run(["sim-child", "--point", "{\"alpha\": 7}"])
        XCTAssertEqual(garbled.status, 1)
        XCTAssertTrue(garbled.stderr.contains("not a sweep point encoded as JSON"), garbled.stderr)
    }

    /// A sweep point with counters: sim gets its per-layer counts from callgrind through the
    /// hidden command, planned with the ISA callgrind decodes, deterministic between runs.
    func testASimPointOfASweepHasSimulatedCounters() throws {
        try XCTSkipIf(!FileManager.default.isExecutableFile(atPath: "/usr/bin/valgrind"), "valgrind is not installed (Scripts/setup.sh installs it)")
        let spec = try write("""
        axes: {width: 0.35, resolution: 32, counters: sim}
        measurement:
          warmup: {runs: 1, seconds: 0}
          repetitions: {min: 3, max: 3}
          target-ci: 0
          per-layer-iterations: 2
        """, "sim.yaml")
        var counts: [[Double]] = []
        for run in 0..<2 {
            let out = dir.appendingPathComponent("sim\(run).jsonl").path
            let r = try CLI.run(["sweep", spec, "--out", out, "--progress", "quiet", "--no-calibrate"], timeout: 900)
            XCTAssertEqual(r.status, 0, r.stderr)
            let text = try String(contentsOfFile: out, encoding: .utf8)
            let records = text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            let point = try XCTUnwrap(records.first { $0["type"] as? String == "point" })
            #if arch(x86_64)
            XCTAssertEqual(point["isaUsed"] as? String, "avx2", "a sim point runs what valgrind decodes")
            #endif
            XCTAssertEqual((point["perLayer"] as? [String: Any])?["counterBackend"] as? String, "sim")
            let layers = try XCTUnwrap(point["layers"] as? [[String: Any]])
            XCTAssertFalse(layers.isEmpty)
            let instructions = try layers.map { layer -> Double in
                let counters = try XCTUnwrap(layer["counters"] as? [String: [String: Any]])
                XCTAssertEqual(counters["instructions"]?["provenance"] as? String, "simulated")
                return try XCTUnwrap(counters["instructions"]?["value"] as? Double)
            }
            XCTAssertTrue(instructions.allSatisfy { $0 > 0 })
            counts.append(instructions)
        }
        XCTAssertEqual(counts[0], counts[1], "simulated instruction counts differ between runs")
    }
}

/// A comparison group whose models do not fit in memory together is not alternated: the sweep
/// says so and measures its points one at a time, unpaired, and loses none of them.
final class GroupResidencyCLITests: XCTestCase {
    func testAGroupTooLargeForMemoryFallsBackToPointsOneAtATime() throws {
        let scratch = try ScratchFolder("sg-resident")
        defer { scratch.remove() }
        let dir = scratch.url
        let spec = try scratch.write("""
        axes: {width: 0.35, resolution: 32, alpha: [1, 1/6]}
        measurement:
          warmup: {runs: 1, seconds: 0}
          repetitions: {min: 5, max: 5}
          target-ci: 0
        compare: {axis: alpha, baseline: 1, resolution-seconds: 0}
        """, "g.yaml")
        let out = dir.appendingPathComponent("g.jsonl").path
        // 1 MiB "available": the two models' weights and arenas cannot stay resident together.
        let r = try CLI.run(["sweep", spec, "--out", out, "--progress", "plain", "--no-calibrate"],
                            environment: ["SANDGLASS_AVAILABLE_MEMORY": "1048576"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("is measured unpaired, one point at a time"), r.stderr)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let records = text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        let points = records.filter { $0["type"] as? String == "point" }
        XCTAssertEqual(points.count, 2, "no point lost")
        XCTAssertTrue(points.allSatisfy { $0["paired"] == nil && $0["group"] == nil }, "unpaired points carry no pairing")
        XCTAssertTrue(points.allSatisfy { ($0["samplesMs"] as? [Double])?.count == 5 })
        XCTAssertTrue(points.allSatisfy { ($0["warnings"] as? [String] ?? []).contains { $0.hasPrefix("measured unpaired, one point at a time") } })
        XCTAssertEqual(records.last?["type"] as? String, "end")
        XCTAssertEqual(records.last?["completedPoints"] as? Int, 2)
    }
}
