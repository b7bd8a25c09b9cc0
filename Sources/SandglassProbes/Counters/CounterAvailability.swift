// What counting works on this machine and why not where not: each backend and event tried for
// real (opened, enabled, read once), for `sandglass counters` and for the environment record of
// a sweep. Nothing here is inferred from the CPU model alone.
import CSandglassSupport

public struct CounterAvailability: Codable, Sendable {
    public struct Event: Codable, Sendable {
        public var name: String
        /// libpfm4's fully qualified name where it encoded the event.
        public var encoding: String?
        public var available: Bool
        public var reason: String?
    }

    public struct Backend: Codable, Sendable {
        public var name: String
        public var available: Bool
        public var reason: String?
        public var events: [Event]
        public var notes: [String]
    }

    public struct PresetCheck: Codable, Sendable {
        public var family: String
        public var pmu: String
        /// Whether this libpfm4 has a table for the PMU at all (it carries only its own
        /// architecture's, and older releases lack newer CPUs).
        public var pmuKnown: Bool
        /// Each event, encoded or with libpfm4's error.
        public var events: [Event]
    }

    public var perfEventParanoid: Int?
    public var cpuPMUs: [CPUPerformanceMonitor]
    public var libpfmVersion: String
    public var libpfmCorePMU: String?
    public var backends: [Backend]

    /// Tries every backend here.
    public static func survey(valgrindVersion: String? = CallgrindSession.valgrindVersion()) -> CounterAvailability {
        let library = PfmLibrary.shared
        return CounterAvailability(perfEventParanoid: SandglassProbes.perfEventParanoid(), cpuPMUs: CPUPerformanceMonitors.list(),
                                   libpfmVersion: library.version, libpfmCorePMU: library.detectedCorePMU?.name,
                                   backends: [software(), perf(), sim(valgrindVersion: valgrindVersion)])
    }

    /// Opens `spec` alone, enables it, reads it once: nil if that works, else why not.
    public static func tryCounting(_ spec: PerfEventSpec) -> String? {
        let (group, failures) = PerfEventGroup.open([spec])
        if let failure = failures.first { return "\(failure.reason); fix: \(failure.fix)" }
        guard let group else { return "could not open" }
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: group.words)
        defer { words.deallocate() }
        group.enable()
        let ok = group.read(into: words)
        group.disable()
        return ok ? nil : "opened, but read() returned short (the event is in an error state)"
    }

    static func software() -> Backend {
        let session = CounterSession.open(.software)
        let perfSource = session.sources.first as? PerfCounterSource
        let counted = Set(perfSource?.countedEvents.map(\.name) ?? [])
        let events = CounterSession.softwareEvents.map { name in
            Event(name: name, encoding: nil, available: counted.contains(name),
                  reason: counted.contains(name) ? nil : perfSource?.unavailable[name] ?? "not counted")
        }
        let fallback = session.sources.contains { $0 is ThreadTimeCounterSource }
        var all = events
        if fallback {
            all += ThreadTimeCounterSource.events.map { Event(name: $0, encoding: nil, available: true, reason: nil) }
        }
        return Backend(name: "software", available: !counted.isEmpty || fallback, reason: nil, events: all, notes: session.notes)
    }

    static func perf() -> Backend {
        let library = PfmLibrary.shared
        let preset = CounterPresets.preset(forPMU: library.detectedCorePMU?.name)
        var names: [String] = []
        for name in ["cycles", "instructions"] + preset.memory + preset.compute where !names.contains(name) { names.append(name) }
        var notes: [String] = []
        if let pmu = library.detectedCorePMU {
            notes.append("libpfm4 detected core PMU \(pmu.name) (\(pmu.description)); presets for \(preset.family)")
        } else {
            notes.append("libpfm4 has no table for this CPU's PMU: only the kernel's generic events (cycles, instructions, cache-misses, …) and raw codes can be named; presets use generic events")
        }
        if CPUPerformanceMonitors.list().isEmpty {
            notes.append("no CPU PMU under /sys/bus/event_source/devices: the kernel has no hardware counters to offer")
        }
        let events = names.map { name -> Event in
            let libpfmName = library.detectedCorePMU.map { CounterPresets.qualified(name, pmu: $0.name) } ?? name
            do {
                let spec = try library.encode(libpfmName)
                let reason = tryCounting(spec)
                return Event(name: name, encoding: spec.canonicalName, available: reason == nil, reason: reason)
            } catch let error as PfmError {
                return Event(name: name, encoding: nil, available: false, reason: "libpfm4 cannot encode it: \(error.message)")
            } catch {
                return Event(name: name, encoding: nil, available: false, reason: "\(error)")
            }
        }
        let available = events.contains(where: \.available)
        return Backend(name: "perf", available: available,
                       reason: available ? nil : events.first?.reason, events: events, notes: notes)
    }

    static func sim(valgrindVersion: String?) -> Backend {
        var reasons: [String] = []
        var notes: [String] = []
        if let valgrindVersion { notes.append("\(valgrindVersion) found") } else {
            reasons.append("valgrind is not on PATH; install it (apt install valgrind)")
        }
        if !CallgrindProbe.isCompiledIn {
            reasons.append("this build has no callgrind client requests (valgrind's headers were missing at build time); install valgrind and rebuild")
        }
        #if arch(x86_64)
        if sg_cpu_has_avx2_fma() == 0 {
            reasons.append("the sim backend runs the AVX2 kernels (valgrind 3.19 cannot decode AVX-512), and this CPU has no AVX2")
        } else {
            notes.append("runs the AVX2 kernels (valgrind 3.19 cannot decode AVX-512)")
        }
        #endif
        if let topology = try? HwlocTopology.load(), let cpu = topology.cpus.first,
           let geometry = try? CallgrindCacheGeometry.from(topology, cpu: cpu) {
            notes.append("simulated caches: \(geometry.options.joined(separator: " ")) (\(geometry.source))")
        } else {
            reasons.append("hwloc reports no cache geometry to simulate")
        }
        return Backend(name: "sim", available: reasons.isEmpty, reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
                       events: CallgrindDumps.reportedEvents([]).map { Event(name: $0, encoding: nil, available: reasons.isEmpty, reason: nil) },
                       notes: notes)
    }

    /// Whether libpfm4 here can encode every preset event for every PMU it names. PMUs absent
    /// from this machine only encode with LIBPFM_ENCODE_INACTIVE=1 in the environment, and
    /// libpfm4 carries only its own architecture's tables (no Arm tables on x86).
    public static func checkPresets() -> [PresetCheck] {
        let library = PfmLibrary.shared
        let known = Set(library.pmus(presentOnly: false).map(\.name))
        var result: [PresetCheck] = []
        for preset in CounterPresets.all {
            var seen = Set<String>()
            let names = (preset.memory + preset.compute).filter { seen.insert($0).inserted }
            for pmu in preset.pmus {
                let events = names.map { name -> Event in
                    do {
                        let spec = try library.encode(CounterPresets.qualified(name, pmu: pmu))
                        return Event(name: name, encoding: spec.canonicalName, available: true, reason: nil)
                    } catch let error as PfmError {
                        return Event(name: name, encoding: nil, available: false, reason: error.message)
                    } catch {
                        return Event(name: name, encoding: nil, available: false, reason: "\(error)")
                    }
                }
                result.append(PresetCheck(family: preset.family, pmu: pmu, pmuKnown: known.contains(pmu), events: events))
            }
        }
        return result
    }
}
