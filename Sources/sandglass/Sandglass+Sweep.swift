import ArgumentParser
import Foundation
import SandglassHarness

extension Sandglass {
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a sweep (a YAML spec or a built-in preset) and append one record per completed point to a JSON Lines file.",
            discussion: """
            Presets: \(SweepPresets.names.joined(separator: ", ")). With comparison groups (the presets, or `compare:` in a \
            spec), the points of a group are planned once, kept resident and alternated inference by inference on one \
            core, and each candidate gets its paired ratio to the group's baseline with a 95% CI; an A/A test at the \
            start measures this machine's resolution. Without, points are visited in a seeded shuffled order. Each \
            completed point is appended and fsync'ed at once, so an interrupted sweep continues with --resume.
            """)

        @Argument(help: "Sweep specification (YAML). Omit with --preset.")
        var spec: String?

        @Option(help: "Built-in sweep: \(SweepPresets.names.joined(separator: ", ")).")
        var preset: String?

        @Option(name: .customLong("out"), help: "Results file (JSON Lines).")
        var output: String = "results.jsonl"

        @Flag(help: "A few iterations per point and no confidence target (smoke tests, CI).")
        var quick = false

        @Flag(help: "Continue a sweep: skip the points already in the results file.")
        var resume = false

        @Flag(help: "Overwrite an existing results file.")
        var force = false

        @Option(help: "Override the spec's number of rounds (sweeps without comparison groups).")
        var rounds: Int?

        @Flag(help: "Measure every point on its own (in rounds), ignoring the spec's comparison groups.")
        var noCompare = false

        @Option(help: "Override the groups' alternation: inference or block:N.")
        var interleave: String?

        @Option(help: "Override the seed of the visiting order.")
        var seed: UInt64?

        @Option(help: "Progress display: auto, terminal, plain or quiet.")
        var progress: String = "auto"

        @Flag(help: "Measure without first checking the kernels against their references on this machine (the results header says so).")
        var skipSelftest = false

        @Flag(help: "Print the points and settings, measure nothing.")
        var dryRun = false

        @Flag(help: "Skip measuring the machine's ceilings (peak FMA, bandwidths) that reports draw rooflines from.")
        var noCalibrate = false

        @Option(help: "Pin every point: none, core:N, kind:big or kind:little (overrides the spec's pin axis).")
        var pin: String?

        @Option(help: "Board name recorded in every record (default with --target: the target's host).")
        var board: String?

        @Option(help: "Run the sweep on every board of a boards file (YAML), in parallel; see README.")
        var targets: String?

        @Option(help: "Kernel tuning for every point: cached, fresh or off (see bench --help); overrides the spec's tuning axis.")
        var tuning: String?

        @OptionGroup(title: "Remote boards") var remote: RemoteOptions

        func validate() throws {
            if let tuning {
                do { _ = try TuningMode(parsing: tuning) } catch let e as ParameterError { throw ValidationError(e.message) }
            }
            guard (spec == nil) != (preset == nil) else {
                throw ValidationError("give a sweep specification file or --preset NAME (one of \(SweepPresets.names.joined(separator: ", ")))")
            }
            if let preset, SweepPresets.spec(named: preset) == nil {
                throw ValidationError("unknown preset '\(preset)': choose \(SweepPresets.names.joined(separator: ", "))")
            }
            guard SweepProgress.Style(rawValue: progress) != nil else {
                throw ValidationError("--progress must be auto, terminal, plain or quiet")
            }
            if let rounds, rounds < 1 { throw ValidationError("--rounds must be at least 1") }
            if resume && force { throw ValidationError("--resume and --force contradict each other") }
            if let pin { var p = SweepPoint(); do { try p.set("pin", pin) } catch { throw ValidationError("--pin: \(error)") } }
            if let interleave {
                do { _ = try InterleaveMode(parsing: interleave) } catch let e as ResultsError { throw ValidationError("--interleave: \(e.message)") }
            }
            if noCompare && interleave != nil { throw ValidationError("--interleave applies to comparison groups, which --no-compare turns off") }
            try remote.validate(boardsFile: targets, boardName: board)
        }

        func loadSpec() throws -> SweepSpec {
            var s: SweepSpec
            if let preset {
                s = SweepPresets.spec(named: preset)!
            } else {
                let path = spec!
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CommandFailure.usage("cannot read sweep specification \(path)")
                }
                do { s = try SweepSpecParser.parse(String(decoding: data, as: UTF8.self), file: path) } catch let e as SweepSpecError {
                    throw CommandFailure.usage(e.description)
                }
            }
            if quick {
                let keep = s.measurement
                s.measurement = .quick
                s.measurement.seed = keep.seed
                if keep.perLayerIterations == 0 { s.measurement.perLayerIterations = 0 }
                // A short A/A: quick sweeps prove the path, they do not resolve effects.
                if let c = s.compare { s.compare?.resolutionSeconds = min(c.resolutionSeconds, 2) }
            }
            if noCompare { s.compare = nil }
            if let interleave { s.compare?.interleave = try! InterleaveMode(parsing: interleave) }
            if let rounds { s.measurement.rounds = rounds }
            if let seed { s.measurement.seed = seed }
            if let pin {
                let request: PinRequest
                do { request = try PinRequest(parsing: pin) } catch let e as PinRequest.ParseError { throw ValidationError("--pin: \(e.description)") }
                s.points = Self.overriding(s.points) { $0.pin = request }
            }
            if let tuning, let mode = try? TuningMode(parsing: tuning) {
                s.points = Self.overriding(s.points) { $0.tuning = mode }
            }
            return s
        }

        /// A flag's value set on every point over the spec's axis; points it makes identical run once.
        static func overriding(_ points: [SweepPoint], _ set: (inout SweepPoint) -> Void) -> [SweepPoint] {
            var seen = Set<String>()
            return points.map { var p = $0; set(&p); return p }.filter { seen.insert($0.id).inserted }
        }

        func run() throws {
            let s = try loadSpec()
            if dryRun {
                print("\(s.name): \(s.points.count) points; \(s.description)")
                let groups: [ComparisonGroup]?
                do { groups = try s.groups() } catch let e as SweepValueError { throw CommandFailure.usage(e.message) }
                if let groups, let c = s.compare {
                    print("\(groups.count) comparison group(s), each against its \(c.baselineDescription) point, alternated by \(c.interleave); A/A test \(fixed(c.resolutionSeconds, 0)) s")
                    for g in groups {
                        print("  baseline  \(g.baseline.id)")
                        for p in g.candidates { print("    versus  \(p.point.id)") }
                    }
                } else {
                    for p in s.points { print("  \(p.id)") }
                }
                print(try jsonString(s.measurement))
                return
            }
            if remote.target != nil || targets != nil { return try runOnBoards(s) }
            var options = SweepOptions(output: output)
            options.resume = resume
            options.force = force
            options.board = board
            options.progress = SweepProgress.Style(rawValue: progress)!
            options.calibrate = !noCalibrate
            options.quickCalibration = quick
            options.skipSelfTest = skipSelftest
            let outcome: SweepOutcome
            do { outcome = try SweepRunner(spec: s, options: options).run() } catch let e as ResultsError {
                throw CommandFailure(e.message)
            }
            // An interrupted sweep ends with the line that says how to continue, and no summary
            // on stdout that a script could take for a finished sweep.
            if outcome.interrupted {
                let saved = outcome.completed + outcome.skipped
                throw CommandFailure("interrupted: \(saved) of \(outcome.total) points are in \(output); continue with --resume",
                                     exitCode: 130)
            }
            let results = try ResultsFile.read(output)
            let byID = Dictionary(results.points.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            print(SweepSummary.table(s.points.compactMap { byID[$0.id] }))
            if let r = results.headers.last?.resolution {
                print("resolution (A/A at the start): ±\(fixed(r.halfWidthPercent, 2))%, bias \(r.biasPercent >= 0 ? "+" : "")\(fixed(r.biasPercent, 2))% over \(r.pairs) pairs; smaller effects are not called real")
            }
            print("\(outcome.completed) measured, \(outcome.skipped) already done, \(outcome.total) points → \(output)")
            if !outcome.warnings.isEmpty {
                throw CommandFailure("\(outcome.warnings.count) point(s) could not run: \(outcome.warnings.joined(separator: "; "))")
            }
        }
    }
}

enum SweepSummary {
    static func table(_ points: [PointRecord]) -> String {
        let paired = points.contains { $0.paired != nil }
        var headers = ["point", "median ms", "95% CI", "p90", "n", "stop"]
        if paired { headers += ["paired vs baseline [95% CI]", "verdict"] }
        var t = TextTable(headers: headers, leftAligned: paired ? [0, 5, 6, 7] : [0, 5])
        for p in points {
            let l = p.latencyMs
            var row = [p.point.label, fixed(l.median, 3), "[\(fixed(l.ciLow, 3)), \(fixed(l.ciHigh, 3))]", fixed(l.p90, 3),
                       "\(l.count)", p.stopReason]
            if paired {
                if let r = p.paired {
                    row += ["×\(fixed(r.ratio.median, 4)) [\(fixed(r.ratio.ciLow, 4)), \(fixed(r.ratio.ciHigh, 4))]", r.verdict]
                } else {
                    row += [p.interleave != nil ? "baseline" : "", ""]
                }
            }
            t.add(row)
        }
        return t.render()
    }
}
