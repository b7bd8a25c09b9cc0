// perf_event counters as a CounterSource: one or more groups of at most `maxGroupSize` events
// (a PMU has few counters: 4 general ones per hyperthread on many Intel cores, 6 on AMD Zen and
// Cortex-A), each read once per boundary. Events the kernel refused stay in the report as
// unavailable with the reason and the fix.

public final class PerfCounterSource: CounterSource {
    public static let maxGroupSize = 4

    public let eventNames: [String]
    public let groups: [PerfEventGroup]
    /// Refused or unusable events: name -> reason (with the fix).
    public let unavailable: [String: String]
    public let snapshotWords: Int
    private let groupOffsets: [Int]
    private var shortReads = 0

    /// Opens `specs` in groups; `rejected` are events that could not even be encoded
    /// (name -> reason), reported like refused ones.
    public init(specs: [PerfEventSpec], rejected: [(String, String)] = [],
                order: [String]? = nil, maxGroupSize: Int = PerfCounterSource.maxGroupSize) {
        var groups: [PerfEventGroup] = []
        var unavailable: [String: String] = [:]
        for (name, reason) in rejected { unavailable[name] = reason }
        var index = 0
        while index < specs.count {
            let chunk = Array(specs[index..<min(index + maxGroupSize, specs.count)])
            let (group, failures) = PerfEventGroup.open(chunk)
            for f in failures { unavailable[f.event] = "\(f.reason); fix: \(f.fix)" }
            if let group { groups.append(group) }
            index += maxGroupSize
        }
        self.groups = groups
        self.unavailable = unavailable
        eventNames = order ?? (specs.map(\.name) + rejected.map(\.0))
        var offsets: [Int] = []
        var words = 0
        for g in groups {
            offsets.append(words)
            words += g.words
        }
        groupOffsets = offsets
        snapshotWords = words
    }

    /// How the groups were read: rdpmc from user space where every page offered it, else read().
    public var readPath: String? {
        let notes = groups.map(\.readPathNote)
        return notes.isEmpty ? nil : Array(Set(notes)).sorted().joined(separator: "; ")
    }

    /// Events that opened and are counted.
    public var countedEvents: [PerfEventSpec] { groups.flatMap(\.events) }

    public func start() { for g in groups { g.reset(); g.enable() } }
    public func stop() { for g in groups { g.disable() } }

    @inline(__always)
    public func snapshot(into words: UnsafeMutablePointer<UInt64>) {
        for (g, offset) in zip(groups, groupOffsets) where !g.read(into: words + offset) {
            shortReads += 1
        }
    }

    public func readings(deltaSums: UnsafePointer<UInt64>, occurrences: Int) -> CounterReadings {
        var result = CounterReadings()
        var counted: [String: CounterReading] = [:]
        for (g, offset) in zip(groups, groupOffsets) {
            let enabled = deltaSums[offset + 1], running = deltaSums[offset + 2]
            for (i, event) in g.events.enumerated() {
                counted[event.name] = shortReads > 0
                    ? .unavailable("read() of the counter group returned short \(shortReads) times (the group went into an error state)")
                    : GroupReadFormat.reading(valueSum: deltaSums[offset + 3 + i], enabledSum: enabled,
                                              runningSum: running, occurrences: occurrences)
            }
        }
        for name in eventNames {
            result[name] = counted[name] ?? .unavailable(unavailable[name] ?? "not counted")
        }
        return result
    }
}
