// Everything about the machine that a latency figure depends on, captured into every results
// file: CPU model and parts per core kind, caches, frequency governor and frequencies, kernel,
// OS, build, ISA, perf_event_paranoid, load, host. Unreadable fields are nil (unavailable),
// never invented. Warnings (governor not `performance`, high load) are carried to reports.
import Foundation
import SandglassEngine
import SandglassKernels
import SandglassProbes

public struct CacheInfo: Codable, Sendable, Equatable {
    public var level: Int
    public var type: String
    public var sizeBytes: Int?
    public var lineBytes: Int?
    public var ways: Int?
    public var sharedByCPUs: Int?
}

public struct CPUFrequency: Codable, Sendable, Equatable {
    public var cpu: Int
    public var governor: String?
    public var currentMHz: Double?
    public var minMHz: Double?
    public var maxMHz: Double?
}

public struct CoreKindInfo: Codable, Sendable, Equatable {
    /// "Cortex-A72 (part 0xd08)" or the x86 model name.
    public var name: String
    public var cpus: [Int]
    public var maxMHz: Double?
}

public struct Environment: Codable, Sendable {
    public var capturedAt: String
    public var hostname: String
    public var os: String?
    public var kernel: String?
    public var machine: String?
    public var cpuModel: String
    public var coreKinds: [CoreKindInfo]
    public var logicalCPUs: Int
    public var allowedCPUs: [Int]
    public var caches: [CacheInfo]
    public var frequencies: [CPUFrequency]
    public var memoryTotalBytes: Int?
    public var build: BuildInfo
    public var isaAvailable: [String]
    public var isaDefault: String?
    public var perfEventParanoid: Int?
    /// Which counter backends and events work here, and why not where not.
    public var counters: CounterAvailability?
    /// Packages, cores, core kinds and caches as hwloc sees them (nil where hwloc failed).
    public var topology: Topology?
    public var loadAverage: [Double]?
    /// CPUs kept busy by other processes while the environment was captured (CompetingLoad).
    public var competingCPUs: Double?
    public var warnings: [String]

    public static func capture() -> Environment {
        let cpus = onlineCPUs()
        var uts = utsname()
        uname(&uts)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let frequencies = cpus.map(frequency)
        let load = loadAverage()
        var env = Environment(
            capturedAt: ISO8601DateFormatter().string(from: Date()),
            hostname: ProcessInfo.processInfo.hostName,
            os: osRelease(), kernel: field(uts.release), machine: field(uts.machine),
            cpuModel: cpuModel(), coreKinds: coreKinds(cpus, frequencies), logicalCPUs: cpus.count,
            allowedCPUs: CPUAffinity.current().cpus, caches: caches(), frequencies: frequencies,
            memoryTotalBytes: memoryTotal(), build: BuildInfo.current(),
            isaAvailable: ISASelection.available.map(\.rawValue), isaDefault: (try? ISASelection.best())?.rawValue,
            perfEventParanoid: readTextFile("/proc/sys/kernel/perf_event_paranoid").flatMap { Int($0.trimmed) },
            counters: CounterAvailability.survey(), topology: try? HwlocTopology.load(), loadAverage: load,
            competingCPUs: CompetingLoad.measure(), warnings: [])
        env.warnings = warnings(env)
        return env
    }

    static func warnings(_ env: Environment) -> [String] {
        var w: [String] = []
        let governors = Set(env.frequencies.compactMap(\.governor))
        if !governors.isEmpty && governors != ["performance"] {
            w.append("CPU frequency governor is \(governors.sorted().joined(separator: ", ")), not performance: latencies may vary with DVFS (set it with `cpupower frequency-set -g performance`)")
        }
        if governors.isEmpty {
            w.append("CPU frequency governor unreadable (no cpufreq in /sys, as in most VMs): frequency scaling state unknown")
        }
        // What other processes use now decides the warning; the load average only where that
        // could not be measured (it still counts a build that finished a minute ago).
        if let others = env.competingCPUs {
            if others >= 0.25 {
                w.append("other processes kept \(String(format: "%.2f", others)) of \(env.logicalCPUs) CPUs busy at capture: they compete with the measurement (see `top`)")
            }
        } else if let load = env.loadAverage?.first, load > 0.5 * Double(max(env.logicalCPUs, 1)) {
            w.append("load average \(load) on \(env.logicalCPUs) CPUs at capture: other processes compete for the cores")
        }
        for backend in env.counters?.backends ?? [] where !backend.available {
            w.append("counter backend \(backend.name) unavailable: \(backend.reason ?? "no reason given")")
        }
        if env.build.configuration != "release" { w.append("debug build: timings are not representative") }
        if env.build.commitDirty == true { w.append("Sandglass working tree has uncommitted changes") }
        return w
    }

    static func onlineCPUs() -> [Int] {
        guard let text = readTextFile("/sys/devices/system/cpu/online") else { return CPUAffinity.current().cpus }
        return parseCPUList(text)
    }

    /// "0-3,6" → [0, 1, 2, 3, 6]
    public static func parseCPUList(_ text: String) -> [Int] {
        var result: [Int] = []
        for part in text.trimmed.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 2 { result += Array(bounds[0]...bounds[1]) } else if let x = bounds.first { result.append(x) }
        }
        return result
    }

    static func cpuModel() -> String {
        if let model = readTextFile("/proc/cpuinfo").flatMap(cpuModel(cpuinfo:)) { return model }
        let brand = ISASelection.cpuBrand
        return brand.isEmpty ? "unknown" : brand.trimmed
    }

    /// The CPU model from /proc/cpuinfo text: x86's "model name"; on Arm, which has none, the
    /// distinct cores named from their "CPU part" lines in processor order (big.LITTLE boards give
    /// e.g. "Cortex-A55 (part 0xd05) + Cortex-A76 (part 0xd0b)"). nil when neither is present.
    public static func cpuModel(cpuinfo text: String) -> String? {
        var parts: [String] = []
        for line in text.split(separator: "\n") {
            let kv = line.split(separator: ":", maxSplits: 1).map { String($0).trimmed }
            guard kv.count == 2 else { continue }
            if kv[0] == "model name" { return kv[1] }
            if kv[0] == "CPU part" {
                let name = armCoreName(part: kv[1])
                if !parts.contains(name) { parts.append(name) }
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: " + ")
    }

    /// Core kinds: x86 model name, or Arm implementer/part per processor, grouped with max frequency.
    static func coreKinds(_ cpus: [Int], _ freqs: [CPUFrequency]) -> [CoreKindInfo] {
        var partOf: [Int: String] = [:]
        if let text = readTextFile("/proc/cpuinfo") {
            var current = -1
            for line in text.split(separator: "\n") {
                let kv = line.split(separator: ":", maxSplits: 1).map { String($0).trimmed }
                guard kv.count == 2 else { continue }
                if kv[0] == "processor" { current = Int(kv[1]) ?? -1 }
                if kv[0] == "model name" { partOf[current] = kv[1] }
                if kv[0] == "CPU part" { partOf[current] = armCoreName(part: kv[1]) }
            }
        }
        var groups: [String: [Int]] = [:]
        for cpu in cpus {
            let maxMHz = freqs.first { $0.cpu == cpu }?.maxMHz
            let key = (partOf[cpu] ?? cpuModel()) + (maxMHz.map { "|\($0)" } ?? "")
            groups[key, default: []].append(cpu)
        }
        return groups.map { key, cpus in
            let parts = key.split(separator: "|")
            return CoreKindInfo(name: String(parts[0]), cpus: cpus.sorted(), maxMHz: parts.count > 1 ? Double(parts[1]) : nil)
        }.sorted { ($0.cpus.first ?? 0) < ($1.cpus.first ?? 0) }
    }

    static func armCoreName(part: String) -> String {
        let names = ["0xd03": "Cortex-A53", "0xd04": "Cortex-A35", "0xd05": "Cortex-A55", "0xd07": "Cortex-A57",
                     "0xd08": "Cortex-A72", "0xd09": "Cortex-A73", "0xd0a": "Cortex-A75", "0xd0b": "Cortex-A76",
                     "0xd0c": "Neoverse-N1", "0xd0d": "Cortex-A77", "0xd41": "Cortex-A78", "0xd44": "Cortex-X1",
                     "0xd46": "Cortex-A510", "0xd47": "Cortex-A710", "0xd48": "Cortex-X2", "0xd4f": "Neoverse-V2",
                     "0xd80": "Cortex-A520", "0xd81": "Cortex-A720", "0xd82": "Cortex-X4", "0xd40": "Neoverse-V1"]
        return "\(names[part.lowercased()] ?? "Arm core") (part \(part))"
    }

    static func caches() -> [CacheInfo] {
        var result: [CacheInfo] = []
        for index in 0..<8 {
            let base = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
            guard let level = readTextFile(base + "level").flatMap({ Int($0.trimmed) }) else { break }
            let type = readTextFile(base + "type")?.trimmed ?? "Unknown"
            let shared = readTextFile(base + "shared_cpu_list").map { parseCPUList($0).count }
            result.append(CacheInfo(level: level, type: type, sizeBytes: readTextFile(base + "size").flatMap(parseSize),
                                    lineBytes: readTextFile(base + "coherency_line_size").flatMap { Int($0.trimmed) },
                                    ways: readTextFile(base + "ways_of_associativity").flatMap { Int($0.trimmed) },
                                    sharedByCPUs: shared))
        }
        return result
    }

    /// "48K" → 49152
    static func parseSize(_ text: String) -> Int? {
        let t = text.trimmed
        if t.hasSuffix("K") { return Int(t.dropLast()).map { $0 * 1024 } }
        if t.hasSuffix("M") { return Int(t.dropLast()).map { $0 * 1024 * 1024 } }
        return Int(t)
    }

    static func frequency(_ cpu: Int) -> CPUFrequency {
        let base = "/sys/devices/system/cpu/cpu\(cpu)/cpufreq/"
        func mhz(_ name: String) -> Double? { readTextFile(base + name).flatMap { Double($0.trimmed) }.map { $0 / 1000 } }
        return CPUFrequency(cpu: cpu, governor: readTextFile(base + "scaling_governor")?.trimmed,
                            currentMHz: mhz("scaling_cur_freq"), minMHz: mhz("cpuinfo_min_freq"), maxMHz: mhz("cpuinfo_max_freq"))
    }

    public static func loadAverage() -> [Double]? {
        guard let text = readTextFile("/proc/loadavg") else { return nil }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }

    static func osRelease() -> String? {
        guard let text = readTextFile("/etc/os-release") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    /// MemAvailable: what the kernel could hand out without swapping, bytes.
    public static func memoryAvailable() -> Int? {
        guard let text = readTextFile("/proc/meminfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }

    static func memoryTotal() -> Int? {
        guard let text = readTextFile("/proc/meminfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
extension Substring {
    var trimmed: String { String(self).trimmingCharacters(in: .whitespacesAndNewlines) }
}
