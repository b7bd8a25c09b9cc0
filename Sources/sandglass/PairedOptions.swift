// Options of the paired commands (`ab`, `resolution`): how long, how finely interleaved, and the
// baseline point built from the usual model and engine flags.
import ArgumentParser
import SandglassHarness

struct PairedOptions: ParsableArguments {
    @Option(help: "Time cap of the measurement in seconds (it stops earlier once every CI is within --target).")
    var seconds: Double = 20

    @Option(help: "Stop when every candidate's paired ratio has a 95% CI within ±this many percent; 0 runs to --seconds.")
    var target: Double = 0.5

    @Option(help: ArgumentHelp("Alternation granularity: inference (every inference, the default) or block:N (N back-to-back runs per visit; the first, after a switch, is reported apart).",
                               valueName: "inference|block:N"))
    var interleave: String = "inference"

    @Option(help: "Seed of the random visiting order of each cycle.")
    var orderSeed: UInt64 = 1

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    @Flag(help: "Measure without first checking the kernels against their references on this machine (the output says so).")
    var skipSelftest = false

    /// The self-test for the ISAs of `points`, before anything is measured; a failure stops the
    /// command unless --skip-selftest.
    func selfTest(_ points: [SweepPoint]) throws -> SelfTestOutcome {
        let outcome = SelfTestGate.check(isas: SelfTestGate.isas(for: points), skip: skipSelftest)
        guard outcome.passed || skipSelftest else { throw CommandFailure(SelfTestGate.refusal(outcome)) }
        return outcome
    }

    func settings() throws -> InterleavedMeasurement {
        var s = InterleavedMeasurement()
        do { s.mode = try InterleaveMode(parsing: interleave) } catch let e as ResultsError { throw ValidationError(e.message) }
        s.maxSeconds = seconds
        s.target = target / 100
        s.seed = orderSeed
        return s
    }

    /// Prints `report` (JSON, or the table and the self-test line) and fails when it was
    /// interrupted.
    func emit(_ report: PairedGroupReport, title: String) throws {
        if format == .json {
            print(try jsonString(report))
        } else {
            print(PairedOutput.render(report, title: title))
            if let selfTest = report.selftest { print(selfTest.summary) }
        }
        if report.stopReason == "interrupted" { throw CommandFailure("interrupted", exitCode: 130) }
    }

    func validate() throws {
        guard seconds > 0, seconds <= 86_400 else { throw ValidationError("--seconds must be more than 0 and at most 86400 (got \(seconds))") }
        guard target >= 0, target < 100 else { throw ValidationError("--target is a percentage from 0 to 100 (got \(target))") }
        guard format != .csv else { throw ValidationError("prints table or json, not csv") }
        _ = try settings()
    }
}

extension ModelOptions {
    /// The sweep point these flags describe (the vocabulary of sweep axes and of --versus).
    func point(engine: EngineOptions, pin: String) throws -> SweepPoint {
        if classes != nil || weights != nil || calibration != nil {
            throw ValidationError("--classes, --weights and --calibration are not sweep axes; paired comparisons use the built-in models with random weights or --onnx")
        }
        var p = SweepPoint()
        var settings: [(String, String?)] = [("threads", String(engine.threads)), ("add", engine.add), ("isa", engine.isa), ("pin", pin),
                                               ("fusion", engine.fusion), ("tuning", engine.tuning),
                                               ("dtype", engine.dtype)]
        if let onnx {
            settings.insert(("model", "onnx:" + onnx), at: 0)
        } else {
            let modelSettings: [(String, String?)] = [("model", model), ("width", width), ("alpha", alpha), ("resolution", resolution.map(String.init))]
            settings = modelSettings + settings
        }
        for (axis, value) in settings {
            guard let value else { continue }
            do { try p.set(axis, value) } catch let e as SweepValueError { throw ValidationError("--\(axis): \(e.message)") }
        }
        return p
    }
}
