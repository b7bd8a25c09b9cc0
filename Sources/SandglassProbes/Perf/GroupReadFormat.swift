// The layout of one read() of a perf group opened with PERF_FORMAT_GROUP |
// TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING, and how summed deltas of such reads become values:
//   u64 nr; u64 time_enabled; u64 time_running; u64 value[nr];
// If the kernel multiplexed the group, it counted only for time_running of time_enabled
// nanoseconds, and perf's estimate is value × enabled / running (flagged as scaled). If it
// never ran, there is no estimate at all.
import CPfm

public enum GroupReadFormat {
    /// read_format for every event of a group.
    public static var readFormat: UInt64 {
        UInt64(PERF_FORMAT_GROUP.rawValue | PERF_FORMAT_TOTAL_TIME_ENABLED.rawValue
               | PERF_FORMAT_TOTAL_TIME_RUNNING.rawValue)
    }

    /// Words (u64) one read of a group of `events` fills.
    public static func words(events: Int) -> Int { 3 + events }

    public struct Snapshot: Equatable {
        public var enabled: UInt64
        public var running: UInt64
        public var values: [UInt64]
    }

    /// Parses one read; nil if it is shorter than the header says or holds another count.
    public static func parse(_ words: [UInt64], expectedEvents: Int) -> Snapshot? {
        guard words.count >= 3, words[0] == UInt64(expectedEvents), words.count >= 3 + expectedEvents else { return nil }
        return Snapshot(enabled: words[1], running: words[2], values: Array(words[3..<(3 + expectedEvents)]))
    }

    /// The value of one event from summed deltas (the nr word's delta is ignored): measured if
    /// the group ran all the time it was enabled, scaled if multiplexed, unavailable if it
    /// never ran. `occurrences` divides the sums into a mean per layer run.
    public static func reading(valueSum: UInt64, enabledSum: UInt64, runningSum: UInt64,
                               occurrences: Int) -> CounterReading {
        let n = Double(max(occurrences, 1))
        if runningSum == 0 {
            if enabledSum == 0 {
                return .unavailable("the counter group was never enabled during this layer")
            }
            return .unavailable("the kernel never scheduled the counter group during this layer (multiplexed out by other groups, or its counters were taken); list fewer events, at most 4 per group")
        }
        if runningSum >= enabledSum {
            return .value(Double(valueSum) / n, .measured)
        }
        let fraction = Double(runningSum) / Double(enabledSum)
        return .value(Double(valueSum) / fraction / n, .scaled, runningFraction: fraction)
    }
}
