// How many CPUs other processes keep busy right now, measured over a short window from
// /proc/stat (all CPUs' busy time) less this process's own CPU time (/proc/self/stat).
// The load average cannot say this: it decays over minutes, so a build that has just finished
// still reads as load long after the cores went idle.
import Foundation
import SandglassProbes

public enum CompetingLoad {
    /// CPUs' worth of busy time used by other processes during `window` seconds (0 on an idle
    /// machine, 1 when another process keeps one core busy); nil where /proc is unreadable.
    public static func measure(window: Double = 0.5) -> Double? {
        guard let a = sample() else { return nil }
        usleep(UInt32(window * 1e6))
        guard let b = sample() else { return nil }
        return others(from: a, to: b)
    }

    public struct Sample: Equatable {
        /// Jiffies of all CPUs, busy (everything but idle and iowait) and in total.
        public var busy: UInt64
        public var total: UInt64
        /// This process's user + system jiffies.
        public var own: UInt64
        public var cpus: Int

        public init(busy: UInt64, total: UInt64, own: UInt64, cpus: Int) {
            self.busy = busy; self.total = total; self.own = own; self.cpus = cpus
        }
    }

    /// Other processes' busy CPUs between two samples.
    public static func others(from a: Sample, to b: Sample) -> Double? {
        guard b.total > a.total, b.busy >= a.busy else { return nil }
        let busy = Double(b.busy - a.busy) - Double(b.own &- a.own)
        let elapsedPerCPU = Double(b.total - a.total) / Double(max(b.cpus, 1))
        return max(0, busy / elapsedPerCPU)
    }

    static func sample() -> Sample? {
        guard let stat = readTextFile("/proc/stat"), let me = readTextFile("/proc/self/stat") else { return nil }
        return parse(stat: stat, selfStat: me)
    }

    /// Parses the aggregate `cpu` line of /proc/stat and fields 14–15 (utime, stime) of
    /// /proc/self/stat, whose second field (the command name) may contain spaces.
    public static func parse(stat: String, selfStat: String) -> Sample? {
        let lines = stat.split(separator: "\n")
        guard let line = lines.first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let v = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard v.count >= 4 else { return nil }
        let total = v.prefix(8).reduce(0, +)  // user nice system idle iowait irq softirq steal
        let idle = v[3] + (v.count > 4 ? v[4] : 0)
        let cpus = lines.filter { $0.hasPrefix("cpu") && !$0.hasPrefix("cpu ") }.count
        guard let close = selfStat.lastIndex(of: ")") else { return nil }
        let fields = selfStat[selfStat.index(after: close)...].split(separator: " ")
        // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
        guard fields.count > 12, let utime = UInt64(fields[11]), let stime = UInt64(fields[12]) else { return nil }
        return Sample(busy: total - idle, total: total, own: utime + stime, cpus: max(cpus, 1))
    }
}
