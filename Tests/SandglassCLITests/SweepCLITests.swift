import Foundation
import XCTest

/// The sweep harness through the CLI: results that survive SIGKILL and torn writes, resume
/// without duplicates, compare's verdicts, CSV export, and line-numbered spec errors.
final class SweepCLITests: XCTestCase {
    var scratch: ScratchFolder!
    var dir: URL { scratch.url }

    override func setUpWithError() throws { scratch = try ScratchFolder("sg-sweep-\(name.filter(\.isLetter))") }
    override func tearDownWithError() throws { scratch.remove() }

    func write(_ text: String, _ name: String) throws -> String { try scratch.write(text, name) }

    func records(_ path: String) throws -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    func points(_ path: String) throws -> [[String: Any]] { try records(path).filter { $0["type"] as? String == "point" } }

    /// Runs a sweep and SIGKILLs it as soon as its first point record is in `out`.
    func sweepKilledAfterTheFirstRecord(_ spec: String, _ out: String) throws {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["sweep", spec, "--out", out, "--progress", "quiet", "--no-calibrate"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while (try points(out)).isEmpty && Date() < deadline && process.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func testResumeAfterSIGKILLLosesAndDuplicatesNothing() throws {
        // Four points of about a second each (time cap), so the kill lands mid-sweep.
        let spec = try write("""
        axes:
          model: mobilenext
          width: 0.35
          resolution: 64
          alpha: [1, 1/2, 1/3, 1/6]
        measurement:
          warmup: {runs: 2, seconds: 0}
          repetitions: {min: 1000000, max: 1000000}
          target-ci: 0
          max-seconds: 1
        """, "kill.yaml")
        let out = dir.appendingPathComponent("kill.jsonl").path
        try sweepKilledAfterTheFirstRecord(spec, out)
        let before = try points(out)
        XCTAssertGreaterThanOrEqual(before.count, 1)
        XCTAssertLessThan(before.count, 4, "the sweep finished before it could be killed")
        // A power cut in the middle of writing the next record.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"type":"point","schemaVersion":1,"id":"mobilenext width=0.35 alp"#.utf8))
        try handle.close()

        let r = try CLI.run(["sweep", spec, "--out", out, "--resume", "--progress", "plain", "--no-calibrate"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("incomplete"), "no torn-line warning: \(r.stderr)")
        XCTAssertTrue(r.stderr.contains("already complete"), r.stderr)
        let after = try points(out)
        let ids = after.compactMap { $0["id"] as? String }
        XCTAssertEqual(ids.count, 4)
        XCTAssertEqual(Set(ids).count, 4, "duplicated points: \(ids)")
        XCTAssertEqual(Set(after.compactMap { $0["alpha"] as? String }), ["1", "1/2", "1/3", "1/6"])
        // The points completed before the kill are kept as they were.
        for p in before { XCTAssertTrue(ids.contains(p["id"] as! String)) }
        // Every line of the file is a complete record now.
        let text = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n"))
        XCTAssertEqual(try records(out).count, text.split(separator: "\n").count)
        // Not overwritten by accident.
        let again = try CLI.run(["sweep", spec, "--out", out])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("--resume"), again.stderr)
    }

    func testInterleavedGroupsSurviveSIGKILLAndResume() throws {
        // Three groups (one per width) of two α each, about a second per group, so the kill
        // lands after the first group's records and before the last's.
        let spec = try write("""
        axes:
          model: mobilenext
          width: [0.35, 0.5, 0.75]
          resolution: 64
          alpha: [1, 1/6]
        measurement:
          warmup: {runs: 2, seconds: 0}
          repetitions: {min: 1000000, max: 1000000}
          target-ci: 0
          max-seconds: 1
        compare: {axis: alpha, baseline: 1, resolution-seconds: 0.5}
        """, "groups.yaml")
        let out = dir.appendingPathComponent("groups.jsonl").path
        try sweepKilledAfterTheFirstRecord(spec, out)
        let before = try points(out)
        XCTAssertEqual(before.count % 2, 0, "a group's records are written together: \(before.count)")
        XCTAssertGreaterThanOrEqual(before.count, 2)
        XCTAssertLessThan(before.count, 6, "the sweep finished before it could be killed")
        let header = try XCTUnwrap(try records(out).first { $0["type"] as? String == "header" })
        let resolution = try XCTUnwrap(header["resolution"] as? [String: Any], "the A/A test goes into the header")
        XCTAssertGreaterThan(resolution["pairs"] as? Int ?? 0, 0)

        let r = try CLI.run(["sweep", spec, "--out", out, "--resume", "--progress", "plain", "--no-calibrate"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("already complete"), r.stderr)
        let after = try points(out)
        let ids = after.compactMap { $0["id"] as? String }
        XCTAssertEqual(ids.count, 6)
        XCTAssertEqual(Set(ids).count, 6, "duplicated points: \(ids)")
        for p in before { XCTAssertTrue(ids.contains(p["id"] as! String)) }
        // Each candidate names its group's baseline, pairs with it cycle by cycle, and carries
        // the same number of samples (one per cycle).
        for p in after where p["alpha"] as? String == "1/6" {
            let paired = try XCTUnwrap(p["paired"] as? [String: Any], "candidate without paired: \(p["id"]!)")
            let baseID = try XCTUnwrap(paired["baseline"] as? String)
            XCTAssertTrue(baseID.contains("alpha=1 "), baseID)
            let base = try XCTUnwrap(after.first { $0["id"] as? String == baseID })
            XCTAssertEqual(base["group"] as? String, p["group"] as? String)
            XCTAssertEqual(base["width"] as? Double, p["width"] as? Double)
            let n = (p["samplesMs"] as? [Double])?.count ?? 0
            XCTAssertEqual((base["samplesMs"] as? [Double])?.count, n)
            XCTAssertEqual(paired["pairs"] as? Int, n)
            XCTAssertEqual(p["interleave"] as? String, "inference")
            XCTAssertNotNil(p["cacheState"] as? String)
            let ratio = try XCTUnwrap(paired["ratio"] as? [String: Any])
            let (lo, mid, hi) = (ratio["ciLow"] as! Double, ratio["median"] as! Double, ratio["ciHigh"] as! Double)
            XCTAssertTrue(lo <= mid && mid <= hi && mid > 0.5 && mid < 2, "\(ratio)")
            XCTAssertNil(base["paired"])
            // The host sampled between cycles: from the first cycle to the last, in order.
            let drift = try XCTUnwrap((p["environment"] as? [String: Any])?["drift"] as? [[String: Any]], "no drift record")
            XCTAssertGreaterThanOrEqual(drift.count, 2)
            let cycles = drift.compactMap { $0["cycles"] as? Int }
            let seconds = drift.compactMap { $0["seconds"] as? Double }
            XCTAssertEqual(cycles, cycles.sorted())
            XCTAssertEqual(seconds, seconds.sorted())
            XCTAssertEqual(cycles.last, n, "the last sample is taken after the last cycle")
            XCTAssertNotNil(drift.last?["loadAverage1"] as? Double)
        }
        XCTAssertTrue(r.stdout.contains("paired vs baseline"), r.stdout)
    }

    func testCompareSpecErrorsNameThePlace() throws {
        let noBaseline = try write("""
        axes: {model: mobilenext, alpha: [1/2, 1/6]}
        compare: {axis: alpha, baseline: 1}
        """, "nobase.yaml")
        let r = try CLI.run(["sweep", noBaseline, "--dry-run"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("nobase.yaml:2:") && r.stderr.contains("no alpha = 1 point"), r.stderr)
        let badAxis = try write("""
        axes: {model: mobilenext, alpha: [1, 1/6]}
        compare: {axis: alpfa, baseline: 1}
        """, "badaxis.yaml")
        let b = try CLI.run(["sweep", badAxis, "--dry-run"])
        XCTAssertEqual(b.status, 2, b.stderr)
        XCTAssertTrue(b.stderr.contains("badaxis.yaml:2:") && b.stderr.contains("did you mean 'alpha'"), b.stderr)
        let dry = try CLI.run(["sweep", "--preset", "add-vs-mac", "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("2 comparison group(s)"), dry.stdout)
        let off = try CLI.run(["sweep", "--preset", "table7", "--dry-run", "--no-compare"])
        XCTAssertFalse(off.stdout.contains("comparison group"), off.stdout)
    }

    func testRecordsCarryParametersStatisticsAndEnvironment() throws {
        let out = dir.appendingPathComponent("t7.jsonl").path
        let r = try CLI.run(["sweep", "--preset", "table7", "--quick", "--out", out, "--progress", "plain"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let all = try records(out)
        let header = try XCTUnwrap(all.first { $0["type"] as? String == "header" })
        let env = try XCTUnwrap(header["environment"] as? [String: Any])
        for key in ["cpuModel", "caches", "kernel", "build", "loadAverage", "hostname", "isaAvailable", "perfEventParanoid", "frequencies"] {
            XCTAssertNotNil(env[key], "environment lacks \(key)")
        }
        let pts = all.filter { $0["type"] as? String == "point" }
        XCTAssertEqual(pts.count, 4)
        for p in pts {
            for key in ["model", "width", "alpha", "resolution", "threads", "add", "samplesMs", "warmup", "outliers"] {
                XCTAssertNotNil(p[key], "point lacks \(key)")
            }
            let latency = try XCTUnwrap(p["latencyMs"] as? [String: Any])
            XCTAssertGreaterThan(latency["median"] as? Double ?? 0, 0)
            XCTAssertEqual((p["samplesMs"] as? [Double])?.count, latency["count"] as? Int)
        }
        XCTAssertNotNil(all.last { $0["type"] as? String == "end" })
    }

    func testCompareDetectsALargeSlowdownAndIgnoresNoise() throws {
        let spec = try write("""
        axes: {model: mobilenext, width: 0.5, resolution: 96, alpha: 1/2}
        measurement:
          warmup: {runs: 5, seconds: 0.05}
          repetitions: {min: 80, max: 80}
          target-ci: 0
        """, "cmp.yaml")
        let measured = dir.appendingPathComponent("base.jsonl").path
        XCTAssertEqual(try CLI.run(["sweep", spec, "--out", measured, "--progress", "quiet", "--no-calibrate"]).status, 0)
        // The files keep the real run's records, but their samples are replaced by a steady
        // synthetic series (±1 %), so the verdicts do not depend on how steady this host is: a
        // real run under CI load drifts by more than 50 % within itself, and then "not
        // distinguishable" is the right answer. Candidates: each sample 50 % slower (a run
        // sharing its core with another process is ~2× slower), and each sample moved by a
        // symmetric ±3 % (noise, not a slowdown).
        func steady(_ i: Int) -> Double { 10 * (1 + 0.01 * sin(Double(i) * 1.7)) }
        func scaled(_ name: String, _ factor: (Int) -> Double) throws -> String {
            var lines: [String] = []
            for var record in try records(measured) {
                if record["type"] as? String == "point" {
                    let count = (record["samplesMs"] as! [Double]).count
                    let samples = (0..<count).map { steady($0) * factor($0) }
                    record["samplesMs"] = samples
                    var latency = record["latencyMs"] as! [String: Any]
                    latency["median"] = samples.sorted()[samples.count / 2]
                    record["latencyMs"] = latency
                }
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self))
            }
            return try write(lines.joined(separator: "\n") + "\n", name)
        }
        let base = try scaled("steady.jsonl") { _ in 1 }
        let slow = try scaled("slow.jsonl") { _ in 1.5 }
        let same = try scaled("same.jsonl") { i in i % 2 == 0 ? 1.03 : 0.97 }
        let detected = try CLI.run(["compare", base, slow, "--fail-above", "5"])
        XCTAssertEqual(detected.status, 1, detected.stdout + detected.stderr)
        XCTAssertTrue(detected.stdout.contains("REGRESSION"), detected.stdout)
        XCTAssertTrue(detected.stderr.contains("significantly slower"), detected.stderr)
        // The same point with symmetric noise: not a regression beyond 8%.
        let noise = try CLI.run(["compare", base, same, "--fail-above", "8", "--format", "json"])
        XCTAssertEqual(noise.status, 0, noise.stdout + noise.stderr)
        let rows = try XCTUnwrap(noise.json?["points"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?["regression"] as? Bool, false)
        XCTAssertTrue((rows.first?["verdict"] as? String ?? "").hasPrefix("not distinguishable"), "\(rows)")
        // Nothing in common: an error, not a silent pass.
        let other = try write("", "empty.jsonl")
        XCTAssertNotEqual(try CLI.run(["compare", base, other]).status, 0)
    }

    func testExportCSV() throws {
        let out = dir.appendingPathComponent("e.jsonl").path
        XCTAssertEqual(try CLI.run(["sweep", "--preset", "table7", "--quick", "--out", out, "--progress", "quiet"]).status, 0)
        let csvPath = dir.appendingPathComponent("e.csv").path
        let r = try CLI.run(["export", out, "--csv", csvPath])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(csvFields("a,\"b, \"\"c\"\"\",d"), ["a", "b, \"c\"", "d"], "the test's own CSV reader")
        let rows = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 5)
        let header = rows[0].split(separator: ",").map(String.init)
        let medianColumn = try XCTUnwrap(header.firstIndex(of: "median_ms"))
        let alphaColumn = try XCTUnwrap(header.firstIndex(of: "alpha"))
        let json = try points(out)
        for row in rows.dropFirst() {
            let cells = csvFields(String(row))
            XCTAssertEqual(cells.count, header.count)
            let match = json.first { $0["alpha"] as? String == cells[alphaColumn] }
            let median = try XCTUnwrap((match?["latencyMs"] as? [String: Any])?["median"] as? Double)
            // Foundation's JSONSerialization on Linux may parse the last digit of a shortest-form
            // double differently (3.4090550000000004 → …13): equal to 1e-12, not bit for bit.
            XCTAssertEqual(try XCTUnwrap(Double(cells[medianColumn])), median, accuracy: abs(median) * 1e-12)
        }
    }

    /// The fields of one CSV line (RFC 4180: a quoted field may hold commas; "" is a quote):
    /// warnings such as "[+1.2%, +2.8%]" are quoted by the export.
    func csvFields(_ line: String) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        let chars = Array(line)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append(c); i += 1 } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
            i += 1
        }
        fields.append(field)
        return fields
    }

    func testPointsCarryPerLayerCountersWithProvenanceAndPinning() throws {
        let spec = try write("""
        axes:
          model: mobilenext
          width: 0.35
          resolution: 64
          alpha: 1/2
          add: [fused, separate]
          counters: software
          pin: core:0
        measurement:
          per-layer-iterations: 6
        """, "counters.yaml")
        let out = dir.appendingPathComponent("c.jsonl").path
        let r = try CLI.run(["sweep", spec, "--quick", "--out", out, "--no-calibrate", "--progress", "quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let pts = try points(out)
        XCTAssertEqual(pts.count, 2)
        for p in pts {
            XCTAssertEqual((p["environment"] as? [String: Any])?["cpus"] as? [Int], [0], "not pinned to CPU 0")
            let perLayer = try XCTUnwrap(p["perLayer"] as? [String: Any])
            XCTAssertEqual(perLayer["counterBackend"] as? String, "software")
            let layers = try XCTUnwrap(p["layers"] as? [[String: Any]])
            XCTAssertGreaterThan(layers.count, 10)
            for layer in layers {
                let clock = try XCTUnwrap((layer["counters"] as? [String: Any])?["task-clock"] as? [String: Any], "\(layer["name"] ?? "")")
                XCTAssertEqual(clock["provenance"] as? String, "measured")
                XCTAssertGreaterThan(clock["value"] as? Double ?? 0, 0)
            }
            // The separate-add point has its add steps; the fused one folds them into the depthwise.
            let ops = layers.compactMap { $0["op"] as? String }
            if p["add"] as? String == "separate" { XCTAssertTrue(ops.contains("add")) } else { XCTAssertTrue(ops.contains("dwconv3x3s1+add")) }
        }
        let header = try XCTUnwrap(try records(out).first { $0["type"] as? String == "header" })
        let env = try XCTUnwrap(header["environment"] as? [String: Any])
        XCTAssertNotNil(env["topology"], "no hwloc topology in the environment")
        XCTAssertNotNil((env["counters"] as? [String: Any])?["backends"], "no counter availability in the environment")
    }

    /// Ctrl-C ends a sweep with the line that says how to continue and exit code 130; stdout
    /// carries no summary table or "N measured … → file" line that could pass for a finished sweep.
    func testCtrlCLeavesTheResumeHintAndNoSummary() throws {
        // Points that would take 30 s each, so the signal lands while the first is measured.
        let spec = try write("""
        axes:
          model: mobilenext
          width: 0.35
          resolution: 64
          alpha: [1, 1/2]
        measurement:
          warmup: {runs: 2, seconds: 0}
          repetitions: {min: 1000000, max: 1000000}
          target-ci: 0
          max-seconds: 30
        """, "sigint.yaml")
        let out = dir.appendingPathComponent("sigint.jsonl").path
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["sweep", spec, "--out", out, "--progress", "plain", "--no-calibrate"]
        let stdoutPipe = Pipe(), stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        final class Stream: @unchecked Sendable {
            let lock = NSLock()
            var data = Data()
            func append(_ d: Data) { lock.lock(); data.append(d); lock.unlock() }
            var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
        }
        let stdout = Stream(), stderr = Stream()
        let readers = DispatchGroup()
        readers.enter()
        DispatchQueue.global().async { stdout.append(stdoutPipe.fileHandleForReading.readDataToEndOfFile()); readers.leave() }
        readers.enter()
        DispatchQueue.global().async {
            while true {
                let chunk = stderrPipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                stderr.append(chunk)
            }
            readers.leave()
        }
        try process.run()
        // "measuring" is logged once the handler is installed and the first point starts.
        let started = Date().addingTimeInterval(120)
        while !stderr.text.contains("measuring") && process.isRunning && Date() < started { Thread.sleep(forTimeInterval: 0.02) }
        XCTAssertTrue(stderr.text.contains("measuring"), "the sweep never started measuring: \(stderr.text)")
        kill(process.processIdentifier, SIGINT)
        let stopped = Date().addingTimeInterval(120)
        while process.isRunning && Date() < stopped { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        readers.wait()

        XCTAssertEqual(process.terminationReason, .exit, stderr.text)
        XCTAssertEqual(process.terminationStatus, 130, stderr.text)
        XCTAssertTrue(stderr.text.contains("interrupted: 0 of 2 points are in \(out); continue with --resume"), stderr.text)
        XCTAssertFalse(stdout.text.contains("measured"), stdout.text)
        XCTAssertFalse(stdout.text.contains("median ms"), stdout.text)
        XCTAssertEqual(stdout.text.trimmingCharacters(in: .whitespacesAndNewlines), "", "stdout after an interruption")
        let end = try XCTUnwrap(try records(out).last { $0["type"] as? String == "end" })
        XCTAssertEqual(end["interrupted"] as? Bool, true)
    }

    /// An --out folder that cannot be made is one line: which folder, the system's reason, and
    /// what to do. A regular file as parent (ENOTDIR) stops root too, unlike a read-only folder.
    func testUnwritableOutFolderIsOneActionableLine() throws {
        let file = try write("not a folder\n", "plain")
        let r = try CLI.run(["sweep", "--preset", "table7", "--quick", "--no-calibrate", "--progress", "quiet",
                             "--out", file + "/sub/r.jsonl"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stderr, "sandglass: error: cannot create folder \(file)/sub: Not a directory (\(file) is a file); fix: choose a writable --out path\n")
        XCTAssertTrue(r.stdout.isEmpty, r.stdout)
        #if os(Linux)
        // sysfs refuses new folders to root as well (EPERM), the way a read-only folder refuses a user (EACCES).
        let sys = "/sys/sandglass-test-\(getpid())"
        let s = try CLI.run(["sweep", "--preset", "table7", "--quick", "--no-calibrate", "--progress", "quiet",
                             "--out", sys + "/r.jsonl"])
        XCTAssertEqual(s.status, 1, s.stderr)
        XCTAssertTrue(s.stderr.hasPrefix("sandglass: error: cannot create folder \(sys): "), s.stderr)
        XCTAssertTrue(s.stderr.hasSuffix("; fix: choose a writable --out path\n"), s.stderr)
        XCTAssertEqual(s.stderr.split(separator: "\n").count, 1, s.stderr)
        XCTAssertFalse(s.stderr.contains("NSCocoaErrorDomain"), s.stderr)
        #endif
    }

    /// A tab in a spec's indentation: the place and the fix, not libyaml's quote of the line.
    func testTabInSpecIsNamedByItsPlace() throws {
        let spec = try write("name: tabbed\naxes:\n\tmodel: mobilenext\n", "tab.yaml")
        let r = try CLI.run(["sweep", spec, "--dry-run"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "sandglass: error: \(spec):3:1: tabs are not allowed in YAML; indent with spaces\n")
    }

    func testBadSpecsExitTwoWithFileLineAndColumn() throws {
        let spec = try write("axes:\n  model: mobilenext\n  widht: [1.0]\n", "typo.yaml")
        let r = try CLI.run(["sweep", spec, "--out", dir.appendingPathComponent("x.jsonl").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("typo.yaml:3:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean 'width'"), r.stderr)
        XCTAssertEqual(try CLI.run(["sweep", "--preset", "table9"]).status, 2)
        XCTAssertEqual(try CLI.run(["sweep"]).status, 2)
        XCTAssertEqual(try CLI.run(["sweep", dir.appendingPathComponent("missing.yaml").path]).status, 2)
    }
}
