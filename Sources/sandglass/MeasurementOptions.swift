// Options that choose what a benchmark measures besides time, and where it runs:
// --counters (none, software, perf:<events>, sim) and --pin (core:N, kind:big|little).
import ArgumentParser
import SandglassProbes

struct MeasurementOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Per-layer counters: none, software (task-clock, page faults, context switches), perf:<events> (libpfm4 names or raw codes, e.g. perf:cycles,instructions; presets perf:memory, perf:compute) or sim (callgrind's cache simulation; needs --isa avx2 on x86 and valgrind). Implies --per-layer.",
        valueName: "backend"))
    var counters: String = "none"

    @Option(help: ArgumentHelp(
        "Bind the benchmark thread (and the workers of --threads > 1, on the following cores): core:N (a core index from 'sandglass topology') or kind:big|little.",
        valueName: "where"))
    var pin: String = "none"

    func counterSelection() throws -> CounterSelection {
        do { return try CounterSelection(parsing: counters) } catch let e as CounterSelection.ParseError {
            throw ValidationError(e.description)
        }
    }

    func pinRequest() throws -> PinRequest {
        do { return try PinRequest(parsing: pin) } catch let e as PinRequest.ParseError { throw ValidationError(e.description) }
    }

    func validate() throws {
        _ = try counterSelection()
        _ = try pinRequest()
    }
}
