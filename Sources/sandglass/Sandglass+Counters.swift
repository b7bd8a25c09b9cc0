import ArgumentParser
import SandglassProbes

extension Sandglass {
    struct Counters: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which counter backends and events work here, and why not where not.")

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        @Flag(help: "Also check that libpfm4 can encode every preset's events for every PMU family (set LIBPFM_ENCODE_INACTIVE=1 to check PMUs this machine lacks).")
        var allPresets = false

        func validate() throws {
            guard format != .csv else { throw ValidationError("counters prints table or json, not csv") }
        }

        struct Output: Codable {
            var availability: CounterAvailability
            var presets: [CounterAvailability.PresetCheck]?
        }

        func run() throws {
            let output = Output(availability: CounterAvailability.survey(),
                                presets: allPresets ? CounterAvailability.checkPresets() : nil)
            if format == .json {
                print(try jsonString(output))
                return
            }
            let a = output.availability
            print("perf_event_paranoid: \(a.perfEventParanoid.map(String.init) ?? "unreadable")")
            print("CPU PMUs in sysfs: \(a.cpuPMUs.isEmpty ? "none (no hardware counters)" : a.cpuPMUs.map { "\($0.name) (type \($0.type))" }.joined(separator: ", "))")
            print("libpfm4 (API \(a.libpfmVersion)): core PMU \(a.libpfmCorePMU ?? "not recognised")")
            for backend in a.backends {
                print("")
                print("\(backend.name): \(backend.available ? "available" : "unavailable")" + (backend.reason.map { " - \($0)" } ?? ""))
                for note in backend.notes { print("  note: \(note)") }
                var t = TextTable(headers: ["event", "status", "libpfm4 encoding / reason"], leftAligned: [0, 1, 2])
                for e in backend.events {
                    // A reason shared with the backend's own was printed above.
                    let detail = e.reason == backend.reason && e.reason != nil ? "(as above)" : e.reason ?? e.encoding ?? ""
                    t.add([e.name, e.available ? "ok" : "unavailable", detail])
                }
                print(t.render())
            }
            if let presets = output.presets {
                print("")
                print("preset events by family (libpfm4 on this machine):")
                var t = TextTable(headers: ["family", "pmu", "encodes", "failures"], leftAligned: [0, 1, 3])
                for p in presets {
                    let failed = p.events.filter { !$0.available }
                    t.add([p.family, p.pmu, "\(p.events.count - failed.count)/\(p.events.count)",
                           p.pmuKnown ? failed.map { "\($0.name): \($0.reason ?? "")" }.joined(separator: "; ")
                                      : "this libpfm4 has no table for \(p.pmu)"])
                }
                print(t.render())
            }
        }
    }
}
