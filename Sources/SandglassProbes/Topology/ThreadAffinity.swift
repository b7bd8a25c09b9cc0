// Where every thread of this process may run and last ran, from /proc/self/task: how pinned
// worker threads (bound inside the engine's pool, out of the caller's sight) are checked.

public struct ThreadAffinity: Codable, Sendable, Equatable {
    public var tid: Int
    /// Cpus_allowed_list of /proc/self/task/<tid>/status.
    public var allowedCPUs: [Int]
    /// The CPU it last ran on (field 39 of /proc/self/task/<tid>/stat).
    public var lastCPU: Int?

    public init(tid: Int, allowedCPUs: [Int], lastCPU: Int?) {
        self.tid = tid; self.allowedCPUs = allowedCPUs; self.lastCPU = lastCPU
    }

    /// Every thread of this process, by thread id.
    public static func threadsOfThisProcess() -> [ThreadAffinity] {
        directoryEntries("/proc/self/task").compactMap(Int.init).sorted().compactMap { tid in
            guard let status = readTextFile("/proc/self/task/\(tid)/status") else { return nil }
            let allowed = status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
                .flatMap { CPUPerformanceMonitors.parseCPUList(String($0.dropFirst("Cpus_allowed_list:".count))) } ?? []
            return ThreadAffinity(tid: tid, allowedCPUs: allowed, lastCPU: readTextFile("/proc/self/task/\(tid)/stat").flatMap(lastCPU))
        }
    }

    /// Field 39 ("processor") of a stat line; the command name in field 2 may hold spaces, so
    /// count from the closing parenthesis.
    public static func lastCPU(_ stat: String) -> Int? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 39 is fields[36].
        return fields.count > 36 ? Int(fields[36]) : nil
    }
}
