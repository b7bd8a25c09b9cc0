// Opens the counters a selection asks for on the calling thread (the one that will run the
// benchmark, already pinned), and says what it could not open and why. The sim backend is not
// opened here: it needs the process to run under valgrind (see CallgrindSession).

public struct CounterSession {
    public let selection: CounterSelection
    /// Sources for a LayerProbe, in the order their events are reported.
    public let sources: [CounterSource]
    /// Event names as reported, in order.
    public let events: [String]
    /// How memory events become bytes (empty if the events allow no estimate).
    public let traffic: [TrafficRule]
    /// Which libpfm4 preset family was used, if any.
    public let presetFamily: String?
    /// What the user should know: fallbacks, what is counted, and why things are missing.
    public let notes: [String]

    /// The software events, in report order.
    public static let softwareEvents = ["task-clock", "page-faults", "context-switches", "cpu-migrations"]

    /// Opens `selection`. `pinnedCPUs`: where the benchmark thread is bound (aims PMU events at
    /// that core kind's PMU on heterogeneous systems).
    public static func open(_ selection: CounterSelection, pinnedCPUs: [Int]? = nil) -> CounterSession {
        switch selection {
        case .none, .sim:
            return CounterSession(selection: selection, sources: [], events: [], traffic: [], presetFamily: nil, notes: [])
        case .software:
            return openSoftware()
        case let .perf(names):
            return openPerf(names, pinnedCPUs: pinnedCPUs)
        }
    }

    static func openSoftware() -> CounterSession {
        let names = softwareEvents
        // Kernel-context counting first: context switches and migrations only count there.
        var specs = names.compactMap { PerfEventSpec.software($0) }.map { s -> PerfEventSpec in
            var k = s; k.includeKernel = true; return k
        }
        var source = PerfCounterSource(specs: specs)
        var notes: [String] = []
        let refusedKernel = source.groups.isEmpty
            && source.unavailable.values.contains { $0.contains("not permitted") }
        if refusedKernel {
            specs = names.compactMap { PerfEventSpec.software($0) }
            let userOnly = PerfCounterSource(specs: specs.filter { !$0.countsOnlyInKernel })
            if !userOnly.groups.isEmpty {
                let paranoid = perfEventParanoid().map { "kernel.perf_event_paranoid = \($0)" } ?? "perf_event_paranoid"
                let reason = "counted only in kernel context, which \(paranoid) forbids for this user (with exclude_kernel=1 it would read 0); fix: sudo sysctl kernel.perf_event_paranoid=1, or run as root"
                source = PerfCounterSource(specs: specs.filter { !$0.countsOnlyInKernel },
                                           rejected: specs.filter(\.countsOnlyInKernel).map { ($0.name, reason) },
                                           order: names)
                notes.append("user-space-only software counters (\(paranoid))")
            }
        }
        if source.groups.isEmpty {
            // perf_event_open is unavailable altogether: keep the refusals in the report and
            // count with the thread's CPU clock and getrusage instead.
            let why = source.unavailable[names[0]] ?? "perf_event_open unavailable"
            notes.append("perf_event_open is unavailable (\(why)); falling back to CLOCK_THREAD_CPUTIME_ID and getrusage(RUSAGE_THREAD)")
            let fallback = ThreadTimeCounterSource()
            return CounterSession(selection: .software, sources: [source, fallback], events: names + fallback.eventNames,
                                  traffic: [], presetFamily: nil, notes: notes)
        }
        notes.append("kernel software events on the calling thread, one perf_event group read per layer boundary")
        return CounterSession(selection: .software, sources: [source], events: names, traffic: [], presetFamily: nil, notes: notes)
    }

    static func openPerf(_ requested: [String], pinnedCPUs: [Int]?) -> CounterSession {
        let library = PfmLibrary.shared
        let corePMU = library.detectedCorePMU
        let preset = CounterPresets.preset(forPMU: corePMU?.name)
        var notes: [String] = []
        var names: [String] = []
        var traffic: [TrafficRule] = []
        var usedPreset = false
        for item in requested {
            switch item.lowercased() {
            case "memory":
                names += preset.memory; traffic += preset.traffic; usedPreset = true
            case "compute":
                names += preset.compute; usedPreset = true
            default:
                names.append(item)
            }
        }
        // Events listed twice (a preset and a name) are counted once.
        var seen = Set<String>()
        names = names.filter { seen.insert($0).inserted }
        if traffic.isEmpty, names.contains("cache-misses") { traffic = CounterPresets.generic.traffic }
        if usedPreset {
            if corePMU == nil {
                notes.append("libpfm4 has no table for this CPU's PMU, so the presets use the kernel's generic events; a newer libpfm4 (Debian trixie's knows Zen 5) gives the family's own events")
            } else {
                notes.append("preset events for \(preset.family) (libpfm4 PMU \(corePMU!.name))")
            }
        }

        var specs: [PerfEventSpec] = []
        /// Generic events before their PMU type was put into config, to retry without it.
        var untargeted: [PerfEventSpec] = []
        var rejected: [(String, String)] = []
        let monitors = CPUPerformanceMonitors.list()
        let target = pinnedCPUs.flatMap { cpus in
            monitors.filter { $0.cpus != nil }.count > 1 ? CPUPerformanceMonitors.monitor(covering: cpus, in: monitors) : nil
        }
        for name in names {
            if let software = PerfEventSpec.software(name) {
                specs.append(software)
                continue
            }
            let libpfmName = usedPreset && corePMU != nil ? CounterPresets.qualified(name, pmu: corePMU!.name) : name
            do {
                var spec = try library.encode(libpfmName)
                spec.name = name
                if let target {
                    let aimed = spec.targeting(pmuType: target.type)
                    if aimed.type == spec.type && aimed.config != spec.config { untargeted.append(spec) }
                    spec = aimed
                }
                specs.append(spec)
            } catch let error as PfmError {
                rejected.append((name, "libpfm4 cannot encode it: \(error.message); fix: check the name with 'sandglass counters' (PMU events need a libpfm4 that knows this CPU; raw codes are written r<hex>, e.g. r0c0)"))
            } catch {
                rejected.append((name, "\(error)"))
            }
        }
        if let target { notes.append("PMU events aimed at \(target.name) (type \(target.type)), the PMU of the pinned cores") }
        notes.append("counts the calling thread in user space; worker threads of --threads > 1 are not counted")
        var source = PerfCounterSource(specs: specs, rejected: rejected, order: names)
        if target != nil, !untargeted.isEmpty,
           untargeted.contains(where: { source.unavailable[$0.name] != nil }) {
            // Kernels before extended event types (Linux 5.18 on x86 hybrids, later on arm64)
            // refuse a PMU type in the upper config bits: open those generic events plainly.
            let refused = Set(untargeted.filter { source.unavailable[$0.name] != nil }.map(\.name))
            let retried = specs.map { spec in refused.contains(spec.name) ? untargeted.first { $0.name == spec.name }! : spec }
            source = PerfCounterSource(specs: retried, rejected: rejected, order: names)
            notes.append("the kernel refused extended event types for \(refused.sorted().joined(separator: ", ")), so they are opened without a PMU type and count only while the thread runs on the PMU the kernel chose")
        }
        if source.groups.count > 1 {
            notes.append("\(names.count) events in \(source.groups.count) groups of at most \(PerfCounterSource.maxGroupSize): the kernel may multiplex them, in which case values are scaled and marked so")
        }
        return CounterSession(selection: .perf(requested), sources: [source], events: names, traffic: traffic,
                              presetFamily: usedPreset ? preset.family : nil, notes: notes)
    }
}
