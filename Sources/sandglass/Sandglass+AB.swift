import ArgumentParser
import Foundation
import SandglassHarness

extension Sandglass {
    struct AB: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ab",
            abstract: "Compare models paired: all planned once, alternated inference by inference on one core, with the ratio's 95% CI and this machine's A/A resolution.",
            discussion: """
            The baseline comes from the usual model flags; each --versus changes sweep axes of it:
              sandglass ab --model mobilenext --alpha 1 --versus alpha=1/6 --versus add=separate,alpha=1/6
            Axes: \(SweepPoint.axisNames.filter { $0 != "counters" }.joined(separator: ", ")). An independently planned copy of the
            baseline is alternated too (A/A): a candidate is called faster or slower only when its CI
            excludes 1 and its effect exceeds that resolution.
            """)

        @OptionGroup var model: ModelOptions
        @OptionGroup var engine: EngineOptions
        @OptionGroup var paired: PairedOptions

        @Option(help: ArgumentHelp("Where to run: core:N or kind:big|little (default: stay on the CPU the command starts on).", valueName: "where"))
        var pin: String = "none"

        @Option(name: .customLong("versus"), help: ArgumentHelp("A candidate: KEY=VALUE[,KEY=VALUE] in sweep-axis names (alpha=1/6, add=separate, width=0.75, model=mobilenetv2, ...). Repeatable.",
                                                                 valueName: "key=value"))
        var versus: [String] = []

        func validate() throws {
            guard !versus.isEmpty else { throw ValidationError("give at least one candidate with --versus KEY=VALUE (e.g. --versus alpha=1/6)") }
            _ = try candidates()
        }

        func candidates() throws -> [(overrides: [String: String], point: SweepPoint)] {
            let base = try model.point(engine: engine, pin: pin)
            return try versus.map { text in
                var overrides: [String: String] = [:]
                var point = base
                for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                    let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                    guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
                        throw ValidationError("--versus '\(text)': each part must be KEY=VALUE, e.g. alpha=1/6 or add=separate")
                    }
                    let key = kv[0].trimmingCharacters(in: .whitespaces), value = kv[1].trimmingCharacters(in: .whitespaces)
                    guard SweepPoint.axisNames.contains(key), key != "counters" else {
                        throw ValidationError("--versus '\(text)': unknown axis '\(key)'; choose from \(SweepPoint.axisNames.filter { $0 != "counters" }.joined(separator: ", "))")
                    }
                    guard key != "pin" else { throw ValidationError("--versus '\(text)': every model of a paired group runs on the same core; set --pin for all") }
                    do { try point.set(key, value) } catch let e as SweepValueError { throw ValidationError("--versus '\(text)': \(e.message)") }
                    overrides[key] = value
                }
                if point == base { throw ValidationError("--versus '\(text)' is the baseline itself; the A/A pair is measured anyway (see 'sandglass resolution')") }
                return (overrides, point)
            }
        }

        func run() throws {
            Interruption.install()
            var report: PairedGroupReport
            let baseline = try model.point(engine: engine, pin: pin)
            let others = try candidates()
            let selfTest = try paired.selfTest([baseline] + others.map(\.point))
            do {
                report = try PairedGroup.run(baseline: baseline, candidates: others,
                                             withAA: true, settings: try paired.settings(), weightSeed: model.seed ?? 0)
            } catch let e as ResultsError { throw CommandFailure(e.message) }
            report.selftest = selfTest
            try paired.emit(report, title: "ab")
        }
    }

    struct Resolution: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure how finely this machine resolves a latency difference: an A/A test of two independently planned copies of one model, alternated inference by inference.")

        @OptionGroup var model: ModelOptions
        @OptionGroup var engine: EngineOptions
        @OptionGroup var paired: PairedOptions

        @Option(help: ArgumentHelp("Where to run: core:N or kind:big|little (default: stay on the CPU the command starts on).", valueName: "where"))
        var pin: String = "none"

        func validate() throws { _ = try model.point(engine: engine, pin: pin) }

        func run() throws {
            Interruption.install()
            var report: PairedGroupReport
            let baseline = try model.point(engine: engine, pin: pin)
            let selfTest = try paired.selfTest([baseline])
            do {
                report = try PairedGroup.run(baseline: baseline, candidates: [],
                                             withAA: true, listAA: true, settings: try paired.settings(), weightSeed: model.seed ?? 0)
            } catch let e as ResultsError { throw CommandFailure(e.message) }
            report.selftest = selfTest
            try paired.emit(report, title: "resolution")
        }
    }
}
