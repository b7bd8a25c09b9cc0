import Foundation
import XCTest

/// `sandglass counters`, `sandglass topology` and `bench --counters/--pin` as a user runs them.
final class ProbesCLITests: XCTestCase {
    func testCountersSaysWhatWorksAndWhy() throws {
        let r = try CLI.run(["counters", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let availability = try XCTUnwrap(r.json?["availability"] as? [String: Any])
        let backends = try XCTUnwrap(availability["backends"] as? [[String: Any]])
        XCTAssertEqual(backends.compactMap { $0["name"] as? String }, ["software", "perf", "sim"])
        let software = backends[0]
        XCTAssertEqual(software["available"] as? Bool, true)
        let events = try XCTUnwrap(software["events"] as? [[String: Any]])
        XCTAssertEqual(events.first { $0["name"] as? String == "task-clock" }?["available"] as? Bool, true)
        // Every unavailable perf event says why.
        for e in try XCTUnwrap(backends[1]["events"] as? [[String: Any]]) where e["available"] as? Bool == false {
            XCTAssertFalse((e["reason"] as? String ?? "").isEmpty, "\(e)")
        }
        let table = try CLI.run(["counters"])
        XCTAssertEqual(table.status, 0)
        XCTAssertTrue(table.stdout.contains("software: available"), table.stdout)
    }

    /// Every preset event is a name libpfm4 knows, for every PMU family whose table this
    /// libpfm4 has (LIBPFM_ENCODE_INACTIVE lets it encode for CPUs that are not this one).
    func testPresetEventsEncodeForEveryKnownFamily() throws {
        let r = try CLI.run(["counters", "--all-presets", "--format", "json"], environment: ["LIBPFM_ENCODE_INACTIVE": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let presets = try XCTUnwrap(r.json?["presets"] as? [[String: Any]])
        let known = presets.filter { $0["pmuKnown"] as? Bool == true }
        XCTAssertGreaterThanOrEqual(known.count, 8, "Intel, AMD and generic tables on x86, Arm ones on AArch64")
        for p in known {
            for e in try XCTUnwrap(p["events"] as? [[String: Any]]) {
                XCTAssertEqual(e["available"] as? Bool, true, "\(p["pmu"] ?? ""): \(e["name"] ?? "") - \(e["reason"] ?? "")")
            }
        }
    }

    func testTopologyJSON() throws {
        let r = try CLI.run(["topology", "--format", "json", "--alpha", "1/6"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let levels = try XCTUnwrap(r.json?["cacheLevels"] as? [[String: Any]])
        XCTAssertTrue(levels.contains { $0["level"] as? Int == 1 && $0["type"] as? String == "data" })
        let topology = try XCTUnwrap(r.json?["topology"] as? [String: Any])
        XCTAssertGreaterThanOrEqual((topology["cores"] as? [Any])?.count ?? 0, 1)
        let shortcuts = try XCTUnwrap(r.json?["shortcuts"] as? [String: Any])
        let blocks = try XCTUnwrap(shortcuts["blocks"] as? [[String: Any]])
        XCTAssertEqual(blocks.count, 12)
        XCTAssertTrue(blocks.allSatisfy { ["L1", "L2", "neither"].contains($0["fits"] as? String ?? "") })
        let table = try CLI.run(["topology"])
        XCTAssertEqual(table.status, 0)
        XCTAssertTrue(table.stdout.contains("L1 data") && table.stdout.contains("identity"), table.stdout)
    }

    /// The JSON of a per-layer run with the software backend: the issue's shape, plus the
    /// fields bench always had.
    func testBenchPerLayerSoftwareJSON() throws {
        let r = try CLI.run(["bench", "--width", "0.5", "--resolution", "96", "--warmup", "2", "--iterations", "6",
                             "--per-layer", "--counters", "software", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(r.json)
        XCTAssertGreaterThan(json["endToEndMs"] as? Double ?? 0, 0)
        XCTAssertNotNil(json["overheadPercent"] as? Double)
        // The overhead from the interleaved pairs, with its CI (percent).
        let paired = try XCTUnwrap(json["overheadPairedPercent"] as? [String: Double])
        let (lo, mid, hi) = (try XCTUnwrap(paired["ciLow"]), try XCTUnwrap(paired["median"]), try XCTUnwrap(paired["ciHigh"]))
        XCTAssertTrue(lo <= mid && mid <= hi && mid > -50 && mid < 100, "\(paired)")
        XCTAssertGreaterThan((json["latencyMs"] as? [String: Any])?["median"] as? Double ?? 0, 0)
        let layers = try XCTUnwrap(json["layers"] as? [[String: Any]])
        XCTAssertGreaterThan(layers.count, 40)
        XCTAssertTrue(layers.allSatisfy { ($0["counterSamples"] as? Int ?? 0) >= 1 }, "every layer read at least once")
        for layer in layers {
            XCTAssertNotNil(layer["name"] as? String)
            XCTAssertNotNil(layer["op"] as? String)
            XCTAssertGreaterThan(layer["timeMs"] as? Double ?? 0, 0)
            let counters = try XCTUnwrap(layer["counters"] as? [String: [String: Any]])
            XCTAssertGreaterThan(counters["task-clock"]?["value"] as? Double ?? 0, 0, "\(layer["name"] ?? "")")
            XCTAssertEqual(counters["task-clock"]?["provenance"] as? String, "measured")
            for (name, entry) in counters {
                // Either a value with provenance or a reason: never a bare number.
                XCTAssertTrue(entry["value"] != nil ? entry["provenance"] != nil : entry["unavailable"] is String, "\(name): \(entry)")
            }
            let traffic = try XCTUnwrap(layer["memoryTraffic"] as? [String: Any])
            XCTAssertEqual((traffic["analytic"] as? [String: Any])?["provenance"] as? String, "analytic")
        }
    }

    /// The text table names every column's unit: CPU-time counters in µs (not a bare 643.7k of
    /// nanoseconds), and a legend line says what each column holds.
    func testBenchPerLayerTableHasUnitsAndLegend() throws {
        let r = try CLI.run(["bench", "--width", "0.35", "--resolution", "64", "--warmup", "1", "--iterations", "3",
                             "--per-layer", "--counters", "software"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.first { $0.contains("step") && $0.contains("op") }, r.stdout)
        XCTAssertTrue(header.contains("task-clock µs"), header)
        XCTAssertTrue(header.contains("page-faults"), header)
        XCTAssertTrue(header.contains("min MB"), header)
        let legend = try XCTUnwrap(lines.first { $0.hasPrefix("legend:") }, r.stdout)
        for phrase in ["ms = median wall time", "task-clock = µs of CPU time", "page-faults", "min MB = analytic minimum"] {
            XCTAssertTrue(legend.contains(phrase), "\(phrase) missing from: \(legend)")
        }
    }

    /// PMU events on a machine without a PMU: unavailable with the reason, exit 0, times present.
    func testBenchWithUnavailableHardwareCountersCompletes() throws {
        let r = try CLI.run(["bench", "--width", "0.35", "--resolution", "64", "--warmup", "1", "--iterations", "3",
                             "--counters", "perf:memory,instructions", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let layers = try XCTUnwrap(r.json?["layers"] as? [[String: Any]])
        let events = try XCTUnwrap((r.json?["counters"] as? [String: Any])?["events"] as? [String])
        XCTAssertTrue(events.contains("instructions"))
        for layer in layers {
            XCTAssertGreaterThan(layer["timeMs"] as? Double ?? 0, 0)
            let counters = try XCTUnwrap(layer["counters"] as? [String: [String: Any]])
            for name in events {
                let entry = try XCTUnwrap(counters[name], name)
                if let reason = entry["unavailable"] as? String {
                    XCTAssertTrue(reason.contains("fix:"), reason)
                } else {
                    XCTAssertNotNil(entry["provenance"])
                }
            }
        }
        let table = try CLI.run(["bench", "--width", "0.35", "--resolution", "64", "--warmup", "1", "--iterations", "3",
                                 "--counters", "perf:cycles"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("overhead"), table.stdout)
    }

    func testPinnedBenchRunsWhereAsked() throws {
        let topology = try XCTUnwrap(try CLI.run(["topology", "--format", "json"]).json?["topology"] as? [String: Any])
        let cores = try XCTUnwrap(topology["cores"] as? [[String: Any]])
        let last = cores.count - 1
        let cpu = try XCTUnwrap((cores[last]["cpus"] as? [Int])?.first)
        let r = try CLI.run(["bench", "--width", "0.35", "--resolution", "64", "--warmup", "1", "--iterations", "3",
                             "--pin", "core:\(last)", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let pinning = try XCTUnwrap(r.json?["pinning"] as? [String: Any])
        XCTAssertEqual(pinning["cpus"] as? [Int], [cpu])
        XCTAssertEqual(pinning["benchmarkThreadCPU"] as? Int, cpu)
        // With two threads the worker goes to the next core (wrapping), each bound to one CPU.
        guard cores.count >= 2 else { return }
        let two = try CLI.run(["bench", "--width", "0.35", "--resolution", "64", "--warmup", "1", "--iterations", "3",
                               "--threads", "2", "--pin", "core:\(last)", "--format", "json"])
        XCTAssertEqual(two.status, 0, two.stderr)
        let pinned = try XCTUnwrap(two.json?["pinning"] as? [String: Any])
        let expected = [cpu, try XCTUnwrap((cores[0]["cpus"] as? [Int])?.first)]
        XCTAssertEqual(pinned["cpus"] as? [Int], expected)
        let threads = try XCTUnwrap(pinned["threads"] as? [[String: Any]])
        let allowed = threads.compactMap { $0["allowedCPUs"] as? [Int] }
        for c in expected { XCTAssertTrue(allowed.contains([c]), "no thread bound to CPU \(c) alone: \(allowed)") }
    }

    /// The sim backend: deterministic per-layer instruction counts, non-zero misses, and more
    /// misses where a layer's working set is larger.
    func testSimulatedCountersAreDeterministic() throws {
        try XCTSkipIf(!FileManager.default.isExecutableFile(atPath: "/usr/bin/valgrind"), "valgrind is not installed (Scripts/setup.sh installs it)")
        let args = ["bench", "--width", "0.35", "--resolution", "64", "--isa", "avx2", "--warmup", "1", "--iterations", "2",
                    "--counters", "sim", "--format", "json"]
        #if !arch(x86_64)
        let argsHere = args.filter { $0 != "--isa" && $0 != "avx2" }
        #else
        let argsHere = args
        #endif
        let first = try CLI.run(argsHere, timeout: 600)
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try CLI.run(argsHere, timeout: 600)
        XCTAssertEqual(second.status, 0, second.stderr)
        func perLayer(_ r: CLI.Result, _ event: String) throws -> [Double] {
            try XCTUnwrap(r.json?["layers"] as? [[String: Any]]).map {
                try XCTUnwrap(($0["counters"] as? [String: [String: Any]])?[event]?["value"] as? Double, event)
            }
        }
        let instructions = try perLayer(first, "instructions")
        XCTAssertEqual(instructions, try perLayer(second, "instructions"), "instruction counts differ between runs")
        XCTAssertTrue(instructions.allSatisfy { $0 > 0 })
        let l1 = try perLayer(first, "L1-misses")
        XCTAssertTrue(l1.allSatisfy { $0 > 0 })
        XCTAssertEqual(try perLayer(first, "LL-misses"), try perLayer(second, "LL-misses"))
        let layers = try XCTUnwrap(first.json?["layers"] as? [[String: Any]])
        XCTAssertEqual((layers[0]["counters"] as? [String: [String: Any]])?["Ir"]?["provenance"] as? String, "simulated")
        // Among the pointwise convolutions, the one that must move the most bytes misses L1
        // more often than the one that moves the least.
        let analytic = layers.map { (($0["memoryTraffic"] as? [String: Any])?["analytic"] as? [String: Any])?["value"] as? Double ?? 0 }
        let pointwise = layers.indices.filter { layers[$0]["op"] as? String == "conv1x1" }
        let largest = try XCTUnwrap(pointwise.max { analytic[$0] < analytic[$1] })
        let smallest = try XCTUnwrap(pointwise.min { analytic[$0] < analytic[$1] })
        XCTAssertGreaterThan(analytic[largest], 4 * analytic[smallest])
        XCTAssertGreaterThan(l1[largest], l1[smallest], "\(layers[largest]["name"] ?? "") vs \(layers[smallest]["name"] ?? "")")
        let simulation = try XCTUnwrap(first.json?["simulation"] as? [String: Any])
        XCTAssertNotNil(simulation["geometry"])
    }

    /// As an unprivileged user under perf_event_paranoid >= 2, kernel-context events are
    /// refused: the software backend falls back to user-space counting and says which events
    /// it lost and why, instead of reporting them as 0.
    func testUnprivilegedSoftwareCountersSayWhatParanoidForbids() throws {
        let paranoid = (try? String(contentsOfFile: "/proc/sys/kernel/perf_event_paranoid", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try XCTSkipUnless(getuid() == 0 && (paranoid ?? 0) >= 2 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                          "needs root (to drop to nobody), setpriv and perf_event_paranoid >= 2")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary.path, "bench", "--width", "0.35",
                             "--resolution", "64", "--warmup", "1", "--iterations", "3", "--counters", "software", "--format", "json"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let json = try XCTUnwrap((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])
        let layers = try XCTUnwrap(json["layers"] as? [[String: Any]])
        for layer in layers {
            let counters = try XCTUnwrap(layer["counters"] as? [String: [String: Any]])
            XCTAssertGreaterThan(counters["task-clock"]?["value"] as? Double ?? 0, 0)
            for name in ["context-switches", "cpu-migrations"] {
                let reason = try XCTUnwrap(counters[name]?["unavailable"] as? String, "\(name) must be unavailable, not 0")
                XCTAssertTrue(reason.contains("perf_event_paranoid = \(paranoid!)"), reason)
            }
        }
    }

    func testBadCounterAndPinArgumentsExitTwoWithOneLine() throws {
        let cases: [([String], String)] = [
            (["bench", "--counters", "papi:cycles"], "counter backend"),
            (["bench", "--counters", "perf"], "perf"),
            (["bench", "--counters", "perf:cycles,,instructions"], "empty event"),
            (["bench", "--pin", "cpu:1"], "pin"),
            (["bench", "--pin", "kind:huge"], "kind"),
            (["bench", "--pin", "core:999", "--iterations", "1"], "core"),
            (["bench", "--counters", "sim", "--threads", "2"], "one thread"),
            (["topology", "--pin", "core:x"], "pin"),
            (["counters", "--format", "csv"], "csv"),
        ]
        #if arch(x86_64)
        let isaCase: [([String], String)] = [(["bench", "--counters", "sim", "--isa", "avx512"], "avx2")]
        #else
        let isaCase: [([String], String)] = []
        #endif
        for (args, word) in cases + isaCase {
            let r = try CLI.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(args) printed \(lines.count) lines: \(r.stderr)")
            XCTAssertTrue(r.stderr.lowercased().contains(word.lowercased()), "\(args): \(r.stderr)")
            XCTAssertTrue(r.stdout.isEmpty, "\(args) wrote to stdout")
        }
    }

    /// A fixed window reads exactly that many steps per instrumented inference, spread over all
    /// layers; `all` reads every layer in every one.
    func testCounterWindowSpreadsSamplesOverTheLayers() throws {
        let base = ["bench", "--width", "0.35", "--resolution", "64", "--warmup", "1", "--iterations", "20",
                    "--counters", "software", "--format", "json"]
        let windowed = try CLI.run(base + ["--counter-window", "5"])
        XCTAssertEqual(windowed.status, 0, windowed.stderr)
        let samples = try XCTUnwrap(windowed.json?["layers"] as? [[String: Any]]).map { $0["counterSamples"] as? Int ?? -1 }
        XCTAssertEqual(samples.reduce(0, +), 20 * 5, "\(samples)")
        XCTAssertLessThanOrEqual((samples.max() ?? 0) - (samples.min() ?? 0), 1, "the window rotates evenly: \(samples)")
        let notes = try XCTUnwrap((windowed.json?["counters"] as? [String: Any])?["notes"] as? [String])
        XCTAssertTrue(notes.contains { $0.contains("a window of 5 of") }, "\(notes)")
        let all = try CLI.run(base + ["--counter-window", "all"])
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertTrue(try XCTUnwrap(all.json?["layers"] as? [[String: Any]]).allSatisfy { $0["counterSamples"] as? Int == 20 })
        let bad = try CLI.run(base + ["--counter-window", "0"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--counter-window '0'"), bad.stderr)
    }
}

/// `bench --trace`: a Chrome trace-event file that Perfetto and chrome://tracing open, checked
/// against the format's required fields and its nesting (no consumer installs offline here:
/// Perfetto's Python package downloads its trace processor when run).
final class TraceCLITests: XCTestCase {
    func testTraceHasOneSlicePerStepPerInferenceNestedInItsInference() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sg-trace-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let iterations = 4
        let r = try CLI.run(["bench", "--width", "0.35", "--resolution", "64", "--warmup", "1", "--iterations", "\(iterations)",
                             "--counters", "software", "--trace", path, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let steps = try XCTUnwrap(r.json?["layers"] as? [[String: Any]]).count
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path))
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let events = try XCTUnwrap(document["traceEvents"] as? [[String: Any]])
        for e in events {
            XCTAssertNotNil(e["name"] as? String, "\(e)")
            XCTAssertNotNil(e["pid"] as? Int, "\(e)")
            XCTAssertNotNil(e["tid"] as? Int, "\(e)")
            let ph = try XCTUnwrap(e["ph"] as? String)
            XCTAssertTrue(["X", "C", "M"].contains(ph), ph)
            if ph == "X" || ph == "C" { XCTAssertGreaterThanOrEqual(e["ts"] as? Double ?? -1, 0, "\(e)") }
            if ph == "X" { XCTAssertGreaterThanOrEqual(e["dur"] as? Double ?? -1, 0, "\(e)") }
            if ph == "C" { XCTAssertTrue((e["args"] as? [String: Double])?.isEmpty == false, "a counter event needs numeric args: \(e)") }
        }
        XCTAssertTrue(events.contains { $0["ph"] as? String == "M" && $0["name"] as? String == "thread_name" })
        let inferences = events.filter { $0["cat"] as? String == "inference" }
        XCTAssertEqual(inferences.count, iterations)
        let slices = events.filter { $0["ph"] as? String == "X" && $0["cat"] as? String != "inference" }
        XCTAssertEqual(slices.count, iterations * steps)
        for s in slices {
            let ts = s["ts"] as! Double, end = ts + (s["dur"] as! Double)
            let inside = inferences.contains { i in
                let a = i["ts"] as! Double, b = a + (i["dur"] as! Double)
                return a - 1e-6 <= ts && end <= b + 1e-6
            }
            XCTAssertTrue(inside, "step slice outside every inference: \(s)")
            let args = try XCTUnwrap(s["args"] as? [String: Any])
            for key in ["op", "kernel", "madds", "bytesRead", "bytesWritten"] { XCTAssertNotNil(args[key], "\(key) missing: \(s)") }
        }
        XCTAssertTrue(events.contains { $0["ph"] as? String == "C" && $0["name"] as? String == "task-clock" }, "no counter track")
    }

    func testASweepWithTraceWritesOneTracePerPoint() throws {
        let scratch = try ScratchFolder("sg-sweeptrace")
        defer { scratch.remove() }
        let dir = scratch.url
        let spec = try scratch.write("""
        axes: {width: 0.35, resolution: 32, alpha: [1, 1/2]}
        measurement:
          warmup: {runs: 1, seconds: 0}
          repetitions: {min: 3, max: 3}
          target-ci: 0
          per-layer-iterations: 3
          trace: \(dir.path)/traces
        """, "t.yaml")
        let r = try CLI.run(["sweep", spec, "--out", dir.appendingPathComponent("t.jsonl").path, "--progress", "quiet", "--no-calibrate"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/traces").sorted()
        XCTAssertEqual(files.count, 2, "\(files)")
        for f in files {
            XCTAssertTrue(f.hasSuffix(".trace.json"), f)
            let data = try XCTUnwrap(FileManager.default.contents(atPath: dir.path + "/traces/" + f))
            let events = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["traceEvents"] as? [[String: Any]])
            XCTAssertEqual(events.filter { $0["cat"] as? String == "inference" }.count, 3)
        }
    }
}
