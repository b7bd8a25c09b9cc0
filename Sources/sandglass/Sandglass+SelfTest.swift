// `sandglass selftest`: the kernels of every ISA this CPU runs against their scalar references,
// and whole networks against the reference executor; non-zero exit, naming the kernel, on any
// failure. With --target the same check runs on a board (deployed as for a sweep).
import ArgumentParser
import Foundation
import SandglassEngine
import SandglassSelfTest

extension Sandglass {
    struct SelfTestCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "selftest",
            abstract: "Check every kernel against its scalar reference on awkward shapes, and whole networks against the reference executor, on this CPU.")

        @Option(help: "ISA to check: auto (every ISA this CPU runs), avx512, avx2 or neon.")
        var isa: String = "auto"

        @Flag(help: "Check the kernels only, not whole networks.")
        var kernelsOnly = false

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        @OptionGroup(title: "Remote boards") var remote: RemoteOptions

        /// The arguments for the board: every option as parsed here.
        var boardArguments: [String] {
            ["--isa", isa, "--format", format.rawValue] + (kernelsOnly ? ["--kernels-only"] : [])
        }

        func isas() throws -> [ISA] {
            let choice: ISAChoice
            do { choice = try ISAChoice(parsing: isa) } catch let e as ParameterError { throw ValidationError(e.description) }
            guard let named = choice.isa else { return ISASelection.available }
            guard ISASelection.available.contains(named) else {
                let runs = ISASelection.available.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--isa \(named.rawValue): this CPU cannot run it (it runs: \(runs))")
            }
            return [named]
        }

        func validate() throws {
            guard format != .csv else { throw ValidationError("selftest prints table or json, not csv") }
            try remote.validate()
            // The board decides which ISAs it runs; here only the spelling is checked.
            if remote.isRemote {
                do { _ = try ISAChoice(parsing: isa) } catch let e as ParameterError { throw ValidationError(e.description) }
            } else {
                _ = try isas()
            }
        }

        func run() throws {
            if remote.isRemote { return try remote.runOnTargetBoard(verb: "selftest", arguments: boardArguments) }
            let report = try SelfTest.run(isas: try isas(), networks: !kernelsOnly)
            if format == .json {
                print(try jsonString(report))
            } else {
                var kernels = TextTable(headers: ["kernel", "isa", "shapes", "max rel error", "result"], leftAligned: [0, 1, 4])
                for c in report.checks {
                    kernels.add([c.kernel, c.isa, String(c.shapes), String(format: "%.1e", c.maxRelError), c.passed ? "ok" : "FAILED"])
                }
                print(kernels.render())
                if !report.networks.isEmpty {
                    print("")
                    var networks = TextTable(headers: ["network", "isa", "add", "threads", "max rel error", "result"], leftAligned: [0, 1, 2, 5])
                    for n in report.networks {
                        networks.add([n.model, n.isa, n.add, String(n.threads), String(format: "%.1e", n.maxRelError), n.passed ? "ok" : "FAILED"])
                    }
                    print(networks.render())
                }
                print("")
                print("selftest \(report.passed ? "passed" : "FAILED"): \(report.checks.count) kernel checks, \(report.networks.count) networks, ISA \(report.isa.joined(separator: ", ")), \(String(format: "%.1f", report.seconds)) s")
            }
            guard report.passed else {
                throw CommandFailure("selftest failed: " + report.failures.joined(separator: "; "))
            }
        }
    }
}
