// The CPU PMUs the kernel exposes under /sys/bus/event_source/devices: "cpu" on x86,
// "cpu_core"/"cpu_atom" on Intel hybrids, "armv8_cortex_a55", "armv8_pmuv3_0"… on Arm (one per
// core kind on big.LITTLE, each with a `cpus` list). None at all means no hardware counters
// (a VM without a virtual PMU), which is what tells "no PMU" apart from "unknown event".
#if canImport(Glibc)
import Glibc
#endif

public struct CPUPerformanceMonitor: Codable, Sendable, Equatable {
    /// The sysfs device name, e.g. "cpu" or "armv8_cortex_a76".
    public var name: String
    /// perf_event_attr.type for events on this PMU.
    public var type: UInt32
    /// The CPUs it covers (nil: all CPUs, as for x86 "cpu").
    public var cpus: [Int]?

    public init(name: String, type: UInt32, cpus: [Int]?) {
        self.name = name; self.type = type; self.cpus = cpus
    }
}

public enum CPUPerformanceMonitors {
    public static let sysfsRoot = "/sys/bus/event_source/devices"

    /// The CPU PMUs under `root` (a directory laid out like sysfs, for tests).
    public static func list(root: String = sysfsRoot) -> [CPUPerformanceMonitor] {
        var result: [CPUPerformanceMonitor] = []
        for name in directoryEntries(root).sorted() {
            let dir = root + "/" + name
            let cpusText = readTextFile(dir + "/cpus")
            guard name == "cpu" || cpusText != nil else { continue }
            guard let typeText = readTextFile(dir + "/type"),
                  let type = UInt32(typeText.trimmingWhitespace()) else { continue }
            result.append(CPUPerformanceMonitor(name: name, type: type,
                                                cpus: cpusText.flatMap { parseCPUList($0) }))
        }
        return result
    }

    /// The PMU that covers every CPU in `cpus` (the pinned cores), if exactly one does.
    public static func monitor(covering cpus: [Int], in monitors: [CPUPerformanceMonitor]) -> CPUPerformanceMonitor? {
        let matching = monitors.filter { m in m.cpus.map { list in cpus.allSatisfy(list.contains) } ?? true }
        return matching.count == 1 ? matching[0] : nil
    }

    /// Parses a kernel CPU list such as "0-3,6,8-9"; nil if malformed.
    public static func parseCPUList(_ text: String) -> [Int]? {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty { return [] }
        var cpus: [Int] = []
        for part in trimmed.split(separator: ",") {
            let bounds = part.split(separator: "-")
            if bounds.count == 1, let v = Int(bounds[0]) {
                cpus.append(v)
            } else if bounds.count == 2, let lo = Int(bounds[0]), let hi = Int(bounds[1]), lo <= hi {
                cpus.append(contentsOf: lo...hi)
            } else {
                return nil
            }
        }
        return cpus
    }
}

/// Names in a directory (without "." and ".."); empty if it cannot be read.
public func directoryEntries(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}

/// kernel.perf_event_paranoid, nil where unreadable.
public func perfEventParanoid() -> Int? {
    readTextFile("/proc/sys/kernel/perf_event_paranoid").flatMap { Int($0.trimmingWhitespace()) }
}
