// Hidden: the child side of a sweep point's sim counters. A sweep runs
// `sandglass sim-child --point <JSON>` under callgrind (SimulatedCounters), so the child plans
// exactly the point it was given, with no command line to rebuild and no JSON to decode back.
import ArgumentParser
import SandglassHarness

extension Sandglass {
    struct SimChild: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: SimulatedCounters.childCommand,
            abstract: "Run one sweep point's collected inference under callgrind (started by sweeps).",
            shouldDisplay: false)

        @Option(help: "The point, as results files encode it.")
        var point: String

        func run() throws {
            do { try SimulatedCounters.runChild(point: try SimulatedCounters.decodePoint(point)) } catch let e as ResultsError {
                throw CommandFailure(e.message)
            }
        }
    }
}
