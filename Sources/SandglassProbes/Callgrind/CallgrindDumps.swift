// Reads callgrind's dump files (one per step and run, "callgrind.out.<pid>.<n>") back into
// per-step totals. Each file names its trigger ("desc: Trigger: Client Request: step-12"),
// its events ("events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw") and their totals.

public struct CallgrindDumps {
    /// Event names in callgrind's order.
    public private(set) var events: [String] = []
    /// Per step: summed totals, and how many dumps contributed.
    public private(set) var totals: [Int: [UInt64]] = [:]
    public private(set) var dumps: [Int: Int] = [:]

    public init() {}

    public static func label(step: Int) -> String { "step-\(step)" }

    /// Parses every dump in `directory` whose name starts with `prefix`.
    public static func read(directory: String, prefix: String = "callgrind.out") throws -> CallgrindDumps {
        var result = CallgrindDumps()
        for name in directoryEntries(directory).sorted() where name.hasPrefix(prefix) {
            guard let text = readTextFile(directory + "/" + name) else { continue }
            try result.add(dump: text, file: name)
        }
        return result
    }

    /// Adds one dump's totals to its step (dumps of other triggers, e.g. the final one at
    /// exit, are ignored).
    public mutating func add(dump text: String, file: String = "dump") throws {
        var step: Int?
        var events: [String] = []
        var totals: [UInt64]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("desc: Trigger: Client Request: ") {
                let label = line.dropFirst("desc: Trigger: Client Request: ".count)
                if label.hasPrefix("step-") { step = Int(label.dropFirst(5)) }
            } else if line.hasPrefix("events:") {
                events = line.dropFirst(7).split(separator: " ").map(String.init)
            } else if line.hasPrefix("totals:") || (totals == nil && line.hasPrefix("summary:")) {
                let prefix = line.hasPrefix("totals:") ? 7 : 8
                totals = line.dropFirst(prefix).split(separator: " ").compactMap { UInt64($0) }
            }
        }
        guard let step else { return }
        guard let totals, !events.isEmpty else {
            throw TopologyError(description: "callgrind dump \(file) for step \(step) has no events/totals lines")
        }
        if self.events.isEmpty { self.events = events }
        guard events == self.events else {
            throw TopologyError(description: "callgrind dump \(file) has events \(events), expected \(self.events)")
        }
        // Callgrind leaves trailing zero totals out.
        var padded = totals + [UInt64](repeating: 0, count: max(0, events.count - totals.count))
        padded = Array(padded.prefix(events.count))
        let sum = self.totals[step] ?? [UInt64](repeating: 0, count: events.count)
        self.totals[step] = zip(sum, padded).map { $0 &+ $1 }
        dumps[step, default: 0] += 1
    }

    /// Readings of one step (means per dump), with the aggregates reports use:
    /// instructions (Ir), L1-misses (I1mr + D1mr + D1mw), LL-misses (ILmr + DLmr + DLmw),
    /// followed by callgrind's own events.
    public func readings(step: Int) -> CounterReadings {
        var result = CounterReadings()
        guard let sums = totals[step], let n = dumps[step], n > 0 else {
            for name in CallgrindDumps.reportedEvents(events) {
                result[name] = .unavailable("callgrind wrote no dump for this step")
            }
            return result
        }
        func value(_ names: [String]) -> CounterReading {
            var total: UInt64 = 0
            for name in names {
                guard let i = events.firstIndex(of: name) else {
                    return .unavailable("callgrind did not report \(name) (is --cache-sim=yes set?)")
                }
                total &+= sums[i]
            }
            return .value(Double(total) / Double(n), .simulated)
        }
        result["instructions"] = value(["Ir"])
        result["L1-misses"] = value(["I1mr", "D1mr", "D1mw"])
        result["LL-misses"] = value(["ILmr", "DLmr", "DLmw"])
        for name in events { result[name] = value([name]) }
        return result
    }

    /// The names `readings` reports for callgrind events `events`.
    public static func reportedEvents(_ events: [String]) -> [String] {
        ["instructions", "L1-misses", "LL-misses"] + (events.isEmpty ? ["Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw"] : events)
    }

    /// How simulated misses become bytes: data misses at L1 and all misses at the last level,
    /// times each level's line size. Callgrind does not model write-backs.
    public static let traffic: [TrafficRule] = [
        TrafficRule(level: "L1d misses (L1 <-> LL, simulated)", cacheLevel: 1, fills: ["D1mr", "D1mw"]),
        TrafficRule(level: "LL misses (LL <-> memory, simulated; write-backs not modelled)", cacheLevel: 0,
                    fills: ["ILmr", "DLmr", "DLmw"]),
    ]
}
